"""Polite fetching from an Imgur-like media host and API, for every importer.

    async with Fetcher(settings, media_url=..., api_url=..., client_id=..., token=..., parallel=4,
                       allow_private=False) as f:
        data = await f.get_data("/3/album/abc1234")          # the envelope's `data`; FetchError otherwise
        got = await f.fetch_to(f.media("abc1234.jpg"), dest)  # FetchResult; dest exists only when got.ok

Every request goes through imghost.remote under the URL-upload rules (no private or loopback address
unless allowed, size limits while streaming, one deadline per request). At most `parallel` requests are
in flight. A 429 (or a 503 with Retry-After) pauses every request to that host for what Retry-After says
(else 1, 2, 4 ... seconds) and then retries; an X-RateLimit-*Remaining of 0 pauses the host until the
matching *Reset. A redirect to the host's removed-image placeholder (`/removed.png`) is never followed:
the result is REMOVED. The API's credentials go to the API host only, never to the media host."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from imghost import remote
from imghost.errors import ImghostError, PayloadTooLarge
from imghost.settings import Settings

OK, REMOVED, MISSING, FAILED = "ok", "removed", "missing", "failed"
_RETRY_STATUSES = (429, 502, 503, 504)
_MAX_JSON = 16 * 1024 * 1024
# Rate-limit header pairs, most specific first: Imgur's per-user and per-client counters, then the
# common unprefixed form.
_LIMITS = (
    ("x-ratelimit-userremaining", "x-ratelimit-userreset"),
    ("x-ratelimit-clientremaining", "x-ratelimit-clientreset"),
    ("x-ratelimit-remaining", "x-ratelimit-reset"),
)


@dataclass(frozen=True)
class FetchResult:
    outcome: str  # OK, REMOVED, MISSING (404/410) or FAILED
    reason: str = ""  # why, when not OK
    status: int = 0  # the last HTTP status seen (0: no answer)
    url: str = ""  # where the answer came from (after redirects)
    content_type: str = ""
    size: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == OK


class FetchError(Exception):
    """An API call that did not give a successful answer; `reason` is fit for a report."""

    def __init__(self, reason: str, status: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class FetchStats:
    requests: int = 0
    retries: int = 0
    waited: float = 0.0  # seconds spent paused by rate limits
    by_host: dict[str, int] = field(default_factory=dict)


def is_placeholder(url: str) -> bool:
    """Imgur answers a deleted image with a redirect to /removed.png."""
    return urlsplit(url).path.rsplit("/", 1)[-1].lower().startswith("removed.")


class Fetcher:
    def __init__(
        self,
        settings: Settings,
        *,
        media_url: str = "https://i.imgur.com",
        api_url: str = "https://api.imgur.com",
        client_id: str | None = None,
        token: str | None = None,
        parallel: int = 4,
        allow_private: bool = False,
        retries: int = 6,
        max_wait: float = 3600.0,
    ) -> None:
        self.media_url = media_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.client_id = client_id
        self.token = token
        self.parallel = max(1, parallel)
        self.allow_private = allow_private or settings.url_upload_allow_private
        self.retries = retries
        self.max_wait = max_wait
        self.max_bytes = settings.max_upload_bytes
        self.timeout = settings.url_upload_timeout
        # An operator's import may move a 200 MB video over a slow link: the per-read timeout still
        # catches a stalled host, the whole-request deadline is only a backstop.
        self.deadline = max(settings.url_fetch_seconds, 600.0)
        self.max_redirects = settings.url_upload_max_redirects
        self.stats = FetchStats()
        self._slots = asyncio.Semaphore(self.parallel)
        self._paused_until: dict[str, float] = {}
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._resolver = remote.CachingResolver()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for c in clients.values():
            await c.aclose()

    def media(self, name: str) -> str:
        """The media host's URL of a file name such as `abc1234.jpg`."""
        return f"{self.media_url}/{name.lstrip('/')}"

    def api(self, path: str) -> str:
        return path if "://" in path else f"{self.api_url}/{path.lstrip('/')}"

    @property
    def has_api(self) -> bool:
        return bool(self.client_id or self.token)

    # ------------------------------------------------------------------ API

    async def get_json(self, path: str) -> Any:
        """The decoded JSON answer of a GET on the API (`/3/...` or a full URL). Raises FetchError when the
        answer is not a 200, not JSON, or an Imgur envelope with success false."""
        url = self.api(path)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.client_id:
            headers["Authorization"] = f"Client-ID {self.client_id}"
        got, reason = await self._request(url, None, headers, _MAX_JSON)
        if got is None:
            raise FetchError(reason)
        if got.status != 200 or got.body is None:
            raise FetchError(f"{_short(url)} answered HTTP {got.status}", got.status)
        try:
            doc = json.loads(got.body)
        except ValueError:
            raise FetchError(f"{_short(url)} did not answer JSON", got.status) from None
        if isinstance(doc, dict) and doc.get("success") is False:
            data = doc.get("data")
            err = data.get("error") if isinstance(data, dict) else None
            raise FetchError(f"{_short(url)}: {err or 'unsuccessful'}", int(doc.get("status") or 0))
        return doc

    async def get_data(self, path: str) -> Any:
        """The `data` member of an Imgur envelope (the whole answer when it has none)."""
        doc = await self.get_json(path)
        return doc.get("data", doc) if isinstance(doc, dict) else doc

    # ---------------------------------------------------------------- media

    async def fetch_to(self, url: str, dest: Path) -> FetchResult:
        """Stream url (a full URL or a name on the media host) into dest. Never raises for what the host
        answers or for a refused address: the result says. dest exists only when the result is OK."""
        if "://" not in url:
            url = self.media(url)
        try:
            got, reason = await self._request(url, dest, {}, self.max_bytes)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        if got is None or got.status != 200:
            dest.unlink(missing_ok=True)
        if got is None:
            return FetchResult(FAILED, reason, url=url)
        if got.stopped:
            return FetchResult(
                REMOVED, "removed from the source (redirects to its placeholder)", got.status, got.url
            )
        if got.status in (404, 410):
            return FetchResult(MISSING, f"not found (HTTP {got.status})", got.status, got.url)
        if got.status != 200:
            return FetchResult(FAILED, f"HTTP {got.status}", got.status, got.url)
        if is_placeholder(got.url):  # served at the placeholder's own address
            dest.unlink(missing_ok=True)
            return FetchResult(REMOVED, "removed from the source (its placeholder)", 200, got.url)
        ctype = got.headers.get("content-type", "").split(";")[0].strip().lower()
        return FetchResult(OK, "", 200, got.url, ctype, got.size)

    # -------------------------------------------------------------- plumbing

    async def _request(
        self, url: str, dest: Path | None, headers: dict[str, str], max_bytes: int
    ) -> tuple[remote.Fetched | None, str]:
        """(the final answer, "") or (None, why there is none). Waits out rate limits and retries 429 and
        the 5xx that mean "later"; the last such answer is returned when the retries run out."""
        host = urlsplit(url).netloc.lower()
        got: remote.Fetched | None = None
        for attempt in range(self.retries + 1):
            async with self._slots:
                await self._wait(host)
                self.stats.requests += 1
                self.stats.by_host[host] = self.stats.by_host.get(host, 0) + 1
                try:
                    got = await remote.fetch(
                        url,
                        dest,
                        max_bytes=max_bytes,
                        timeout=self.timeout,
                        deadline=self.deadline,
                        max_redirects=self.max_redirects,
                        allow_private=self.allow_private,
                        headers=headers,
                        stop_at=is_placeholder,
                        reuse=self._client(host),
                        resolve=self._resolver,
                    )
                except PayloadTooLarge:
                    return None, f"larger than the size limit ({self.max_bytes} bytes)"
                except ImghostError as exc:
                    return None, exc.public
                self._note_limits(host, got.headers)
                if got.status not in _RETRY_STATUSES or attempt == self.retries:
                    return got, ""
                delay = _retry_after(got.headers)
                if delay is None:
                    delay = min(2.0**attempt, 60.0)
                self._pause(host, delay)
                self.stats.retries += 1
        return got, ""

    def _client(self, host: str) -> httpx.AsyncClient:
        c = self._clients.get(host)
        if c is None:
            c = self._clients[host] = remote.client(self.timeout, connections=self.parallel)
        return c

    def _pause(self, host: str, seconds: float) -> None:
        until = time.monotonic() + min(max(seconds, 0.0), self.max_wait)
        self._paused_until[host] = max(self._paused_until.get(host, 0.0), until)

    async def _wait(self, host: str) -> None:
        while (left := self._paused_until.get(host, 0.0) - time.monotonic()) > 0:
            self.stats.waited += left
            await asyncio.sleep(left)

    def _note_limits(self, host: str, headers: httpx.Headers) -> None:
        for remaining_name, reset_name in _LIMITS:
            remaining = headers.get(remaining_name)
            if remaining is None or not remaining.strip().lstrip("-").isdigit() or int(remaining) > 0:
                continue
            wait = _reset_in(headers.get(reset_name))
            if wait is None:
                wait = _retry_after(headers)
            if wait is not None:
                self._pause(host, wait)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reset_in(value: str | None) -> float | None:
    """An X-RateLimit-*Reset: Imgur sends a Unix time; others send seconds from now."""
    if not value:
        return None
    try:
        n = float(value.strip())
    except ValueError:
        return None
    return max(0.0, n - time.time()) if n > 1_000_000_000 else max(0.0, n)


def _short(url: str) -> str:
    return urlsplit(url).path or url
