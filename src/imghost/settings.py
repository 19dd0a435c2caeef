from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal, Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The serving CLI puts its Settings here for the worker processes; nothing else reads or writes it.
WORKER_SETTINGS = "IMGHOST_WORKER_SETTINGS"


class Settings(BaseSettings):
    """Every knob imghost has. Built once (in the CLI or create_app) and passed down."""

    model_config = SettingsConfigDict(env_prefix="IMGHOST_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("./data")
    # Every link the API returns is built from this; empty means http://{host}:{port}.
    public_url: str = ""

    # Scale-out: unset means SQLite / local disk / in-process counters.
    database_url: str = ""
    storage_url: str = ""
    redis_url: str = ""
    # Every Redis key starts with this, so deployments (or test servers) can share one Redis.
    redis_prefix: str = "imghost:"
    s3_endpoint_url: str = ""
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    s3_region: str = "us-east-1"
    s3_redirect: bool = False

    # Rate limits: user credits/hour, client credits/day, POSTs/hour per IP.
    rate_limit_user: int = 500
    rate_limit_client: int = 12500
    rate_limit_post: int = 1250
    upload_cost: int = 10

    url_upload_allow_private: bool = False
    # Behind a load balancer: take the client address from X-Forwarded-For (only if the LB sets it).
    trust_forwarded: bool = False
    # Which peers may speak for the client in X-Forwarded-For (addresses and CIDRs, comma-separated): the
    # header is read only from these, right to left, and the first address not in the list is the client.
    trusted_proxies: str = "127.0.0.1,::1"
    url_upload_timeout: float = 15.0
    # The whole URL fetch (every redirect, headers and body): a server dripping bytes slower than
    # url_upload_timeout per read would otherwise hold the upload open for as long as it likes.
    url_fetch_seconds: float = 30.0
    url_upload_max_redirects: int = 5

    max_image_bytes: int = 20 * 1024 * 1024
    max_video_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 100_000_000
    max_animation_pixels: int = 400_000_000
    max_frames: int = 1000
    max_side: int = 30_000
    # Videos, checked on the header and again on the packets the file holds: Imgur's 60 s, 60 s of
    # 240 fps phone slow motion, and width * height * fps up to 4K at 60 fps (what a second costs to decode).
    max_video_seconds: float = 60.0
    max_video_frames: int = 14_400
    max_video_pixel_rate: int = 4096 * 2160 * 60

    # Slow clients: a request's headers must arrive within header_timeout_seconds, and its body at an
    # average of body_min_rate bytes/s once body_grace_seconds have passed, with no pause longer than
    # body_idle_seconds; a client that drips bytes would otherwise hold a worker's request for ever.
    header_timeout_seconds: float = 10.0
    body_min_rate: int = 16 * 1024
    body_grace_seconds: float = 10.0
    body_idle_seconds: float = 30.0

    # Delivery: small hot files are answered from memory.
    memory_cache_bytes: int = 128 * 1024 * 1024
    memory_cache_max_object: int = 2 * 1024 * 1024
    # How long a process may answer media requests from a cached row. Deletes reach every process's
    # cache on one host (a stamp file in the data directory) or across hosts (Redis); only PostgreSQL
    # without Redis, where processes on other hosts cannot be told, turns the cache off by default.
    metadata_cache_seconds: float | None = None
    views_flush_seconds: float = 5.0

    # Uploads are converted to MP4 when animated; cap the work. Every child process that decodes media
    # (ffmpeg, TIFF/HEIC/BMP conversion) is killed past ffmpeg_timeout wall-clock seconds or
    # media_cpu_seconds of CPU, cannot map more than media_memory_bytes (a 1080p H.264 re-encode fits in
    # 1 GiB; a 4K one needs 1.5 GiB), and runs at a lower priority with media_threads threads.
    ffmpeg_timeout: float = 120.0
    media_cpu_seconds: int = 60
    media_memory_bytes: int = 1024 * 1024 * 1024
    media_threads: int = 2
    media_nice: int = 10
    # Uploads that decode or transcode, and thumbnails of videos, run on a pool of their own, so that
    # delivery, API reads and ordinary thumbnails never wait behind them: media_workers at once per
    # process, media_queue more waiting; past that, 503 with Retry-After.
    media_workers: int = 2
    media_queue: int = 4

    # Accounts and OAuth 2.
    registration: Literal["open", "closed", "invite"] = "open"
    captcha_provider: str = ""  # recaptcha | hcaptcha | turnstile (anything speaking siteverify)
    captcha_secret: SecretStr = SecretStr("")
    captcha_verify_url: str = ""
    token_lifetime: int = 28 * 86400
    # Web sign-in: a session lasts this long from its last use. Cookies are Secure when the public URL is
    # https or the request came over HTTPS; "always" and "never" override that guess.
    session_days: int = 30
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    # The community. A post with at least this many points is "most viral" (showViral=false hides
    # those from the user section); a post or comment with this many open reports from distinct
    # accounts leaves the listings until an admin reviews it.
    gallery_viral_points: int = 10
    # A visitor's gallery listing (Client-ID, no token) is kept and answered again until any write that
    # changes it (api/listing_answers.py); its vote counts and views counts may be this many seconds old.
    # 0: every listing is computed afresh.
    gallery_listing_seconds: float = 1.0
    # An account's inbox answers (its notification lists, conversation list and conversations) are kept
    # per process under the account's inbox version (migration 0014: moved by every write that changes
    # them) and answered again until it moves (api/inbox_answers.py): exact, so this is only the longest a
    # kept answer lives. 0: every inbox answer is computed afresh.
    inbox_answer_seconds: float = 60.0
    report_hide_threshold: int = 5
    comment_max_length: int = 10_000
    comments_per_hour: int = 120  # per account
    # Private messages: the longest body, and per account the messages it sends and the new
    # conversations it starts in any hour (0: no limit).
    message_max_length: int = 5_000
    messages_per_hour: int = 60
    conversations_per_hour: int = 10
    # The live notification streams (/3/notification/stream, /notifications/stream): open at once per
    # account, how long one lasts before the client reconnects, the heartbeat comment, and how often a
    # process without Redis looks whether another process changed someone's notifications.
    notify_streams_per_account: int = 5
    notify_stream_seconds: float = 300.0
    notify_heartbeat_seconds: float = 15.0
    notify_poll_seconds: float = 1.0
    oauth_code_lifetime: int = 600  # authorization codes and PINs: single-use, and short-lived
    oauth_password_grant: bool = True
    login_attempts: int = (
        10  # failed sign-ins per (username, address) per window; five times that per address
    )
    login_window: int = 900
    # Failures under one name from every address together only slow sign-in for that name by this many
    # seconds (up to once per attempt), never refuse it: a stranger must not be able to lock the owner out.
    login_slowdown: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.storage_url and not self.storage_url.startswith("s3://"):
            raise ValueError("IMGHOST_STORAGE_URL must be empty (local disk) or s3://bucket[/prefix]")
        if self.database_url and not self.database_url.split(":", 1)[0].startswith(("sqlite", "postgres")):
            raise ValueError("IMGHOST_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return self

    def for_workers(self) -> str:
        """These settings, whole, for the server's worker processes (which Granian starts by importing a
        module, so they cannot be handed an object): secrets included, as the environment held them."""
        data = {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in self}
        return json.dumps(data, default=str)

    @classmethod
    def in_worker(cls) -> Settings:
        """The settings the CLI built for this worker, or, under any other ASGI server, the environment's."""
        blob = os.environ.get(WORKER_SETTINGS)
        return cls(**json.loads(blob)) if blob else cls()

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def row_cache_seconds(self) -> float:
        if self.metadata_cache_seconds is not None:
            return self.metadata_cache_seconds
        return 5.0 if self.redis_url or not self.database_url else 0.0

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "imghost.db"

    @property
    def max_upload_bytes(self) -> int:
        return max(self.max_image_bytes, self.max_video_bytes)
