from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from imghost.auth import Subject
from imghost.client_ip import throttle_key
from imghost.db.database import Database
from imghost.domain import text
from imghost.domain.accounts import repository as repo
from imghost.domain.accounts.captcha import CaptchaVerifier
from imghost.domain.accounts.model import Account
from imghost.domain.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from imghost.domain.albums import repository as album_repo
from imghost.domain.albums.model import Album
from imghost.domain.images import repository as image_repo
from imghost.domain.images.model import Image
from imghost.domain.images.service import ImageService
from imghost.errors import (
    AccountIdNotFound,
    AccountNotFound,
    Forbidden,
    InvalidRequest,
    RateLimited,
    Unauthorized,
)
from imghost.ratelimit.base import Bucket, BucketState, RateLimiter

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[A-Za-z0-9]{4,63}$")
# No whitespace or control characters anywhere: an address holding them cannot be delivered to.
EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
PRIVACY = ("public", "hidden", "secret")
_BOOL_SETTINGS = (
    "public_images",
    "messaging_enabled",
    "show_mature",
    "newsletter_subscribed",
    "accepted_gallery_terms",
    "high_quality",
)
_SIZES = "sbtmlh"  # thumbnail suffixes of an image link
# Reserved: they are path words in the API and the web pages.
RESERVED = {
    "me",
    "admin",
    "root",
    "imghost",
    "oauth2",
    "delete",
    "account",
    "settings",
    "signin",
    "signout",
    "signup",
    "upload",
    "static",
    "gallery",
    "user",
    "help",
    "about",
    "oembed",
    "moderation",
    "messages",
    "notifications",
}


class AccountService:
    def __init__(
        self,
        db: Database,
        images: ImageService,
        limiter: RateLimiter,
        *,
        registration: str,
        captcha: CaptchaVerifier | None,
        login_attempts: int,
        login_window: int,
        login_slowdown: float = 1.0,
    ) -> None:
        self.db = db
        self.images = images
        self.limiter = limiter
        self.registration = registration
        self.captcha = captcha
        self.login_attempts = login_attempts
        self.login_window = login_window
        self.login_slowdown = login_slowdown
        # Sign-in attempts of this process still being checked, per refusing bucket key.
        self._inflight: dict[str, int] = {}
        self._charges = 0  # failures this process has counted so far
        # Run with the account id before an account is deleted: services whose counts include the
        # account's rows (votes, comments) take them out first, where a cascade would not.
        self.before_delete: list[Callable[[int], Awaitable[None]]] = []

    # ------------------------------------------------------------ lookups

    async def get(self, username: str) -> Account:
        row = await repo.by_name(self.db, username) if USERNAME.match(username) else None
        if row is None:
            raise AccountNotFound(username)
        return row

    async def get_by_id(self, account_id: int) -> Account:
        row = await repo.by_id(self.db, account_id)
        if row is None:
            raise AccountIdNotFound(account_id)
        return row

    async def resolve(self, subject: Subject, username: str) -> Account:
        """`me` is the token's account; any other name is looked up."""
        if username.lower() == "me":
            if subject.account_id is None:
                raise Forbidden("This method requires authentication")
            return await self.get_by_id(subject.account_id)
        return await self.get(username)

    async def resolve_owned(self, subject: Subject, username: str) -> Account:
        """The account, if the caller is signed in as it; refusals follow Imgur's wording."""
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        row = await self.resolve(subject, username)
        if row.id != subject.account_id:
            raise Forbidden("You are not allowed to access this account")
        return row

    # ------------------------------------------------------------ registration and passwords

    async def register(
        self,
        username: str,
        *,
        email: str,
        password: str,
        invite: str | None = None,
        captcha_response: str | None = None,
        remote_ip: str | None = None,
    ) -> Account:
        if self.registration == "closed":
            raise Forbidden("Registration is closed")
        if self.registration == "invite" and not (invite and await repo.invite_unused(self.db, invite)):
            raise Forbidden("Registration needs a valid invite code")
        if self.captcha is not None and not await self.captcha.verify(captcha_response or "", remote_ip):
            raise InvalidRequest("The captcha was not solved")
        return await self.create(username, email=email, password=password, invite=invite)

    async def create(self, username: str, *, email: str, password: str, invite: str | None = None) -> Account:
        _check_username(username)
        if not EMAIL.match(email or ""):
            raise InvalidRequest("A valid email address is required")
        _check_password(password)
        pw_hash = await hash_password(password)
        if await repo.by_name(self.db, username) is not None:
            raise InvalidRequest("That username is already taken")
        try:
            async with self.db.transaction() as tx:
                account_id = await repo.insert(
                    tx, username=username, email=email, password_hash=pw_hash, now=int(time.time())
                )
                if (
                    invite
                    and self.registration == "invite"
                    and not await repo.use_invite(tx, invite, account_id)
                ):
                    raise Forbidden("Registration needs a valid invite code")
        except (Forbidden, InvalidRequest):
            raise
        except Exception as exc:
            # Two registrations raced for one name: the unique index decided.
            if await repo.by_name(self.db, username) is not None:
                raise InvalidRequest("That username is already taken") from exc
            raise
        return await self.get_by_id(account_id)

    async def set_password(self, account_id: int, password: str) -> None:
        _check_password(password)
        pw_hash = await hash_password(password)
        async with self.db.transaction() as tx:
            await repo.update(tx, account_id, {"password_hash": pw_hash})
            # A new password ends every session: tokens made with the old one stop working.
            await tx.execute("DELETE FROM tokens WHERE account_id = :a", {"a": account_id})

    async def authenticate(self, username: str, password: str, ip: str) -> Account:
        """Check a password. Only failures are counted, in three buckets per window:

        - per (name, client address) and per client address: these refuse further attempts (429), so one
          source can only guess so often, under one name or across many made-up ones;
        - per name, from everywhere: a stranger can fill it, so it must never refuse the owner, who signs
          in from an address that has not failed. Past its limit each attempt under the name waits
          `login_slowdown` seconds before the password is checked.

        Attempts still being checked count as failures until they are decided, so a burst of parallel
        guesses cannot all pass the check before the first one is counted."""
        now = time.time()
        addr = throttle_key(ip)
        name = username.lower() if USERNAME.match(username or "") else None
        refusing = [Bucket(f"login:ip:{addr}", self.login_attempts * 5, self.login_window, 1)]
        if name is not None:
            # A name that cannot exist is not counted under itself: only its address pays.
            refusing.insert(0, Bucket(f"login:ua:{name}:{addr}", self.login_attempts, self.login_window, 1))
        slowing = Bucket(f"login:u:{name}", self.login_attempts, self.login_window, 1) if name else None
        states = await self._peek((*refusing, *((slowing,) if slowing else ())), now)
        inflight = self._inflight
        if any(s.remaining - inflight.get(b.key, 0) <= 0 for b, s in zip(refusing, states, strict=False)):
            raise RateLimited("Too many failed sign-in attempts. Try again later.")
        for b in refusing:
            inflight[b.key] = inflight.get(b.key, 0) + 1
        try:
            if slowing is not None and states[-1].remaining <= 0 and self.login_slowdown > 0:
                await asyncio.sleep(self.login_slowdown)
            row = await repo.by_name(self.db, username) if name is not None else None
            ok = await verify_password(row.password_hash if row else DUMMY_HASH, password or "")
            if row is None or not ok:
                await self.limiter.charge(tuple(refusing), now)
                self._charges += 1
                if slowing is not None:
                    # Charged on its own: once full, it must not stop the other two from counting.
                    await self.limiter.charge((slowing,), now)
                raise Unauthorized("Invalid username or password")
        finally:
            for b in refusing:
                left = inflight[b.key] - 1
                if left:
                    inflight[b.key] = left
                else:
                    del inflight[b.key]
        return row

    async def _peek(self, buckets: tuple[Bucket, ...], now: float) -> tuple[BucketState, ...]:
        """Counts that no failure of this process is missing from: a failure counted while the look was on
        its way may be in it or not, and the attempt it belonged to no longer counts as in flight, so the
        look is repeated (a few times at most: under a flood the last look has to do)."""
        for _ in range(4):
            seen = self._charges
            states = await self.limiter.peek(buckets, now)
            if seen == self._charges:
                break
        return states

    async def create_invite(self) -> str:
        code = secrets.token_urlsafe(12)
        await repo.add_invite(self.db, code, int(time.time()))
        return code

    # ------------------------------------------------------------ settings

    async def update_settings(self, account: Account, values: Mapping[str, str | None]) -> None:
        fields: dict[str, Any] = {}
        for key, raw in values.items():
            if raw is None or key not in repo.SETTINGS:
                continue
            if key in _BOOL_SETTINGS:
                fields[key] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif key == "album_privacy":
                if raw not in PRIVACY:
                    raise InvalidRequest("album_privacy must be public, hidden or secret")
                fields[key] = raw
            elif key == "username":
                if raw.lower() != account.username.lower():
                    _check_username(raw)
                    if await repo.by_name(self.db, raw) is not None:
                        raise InvalidRequest("That username is already taken")
                fields[key] = raw
            elif key == "email":
                if not EMAIL.match(raw):
                    raise InvalidRequest("A valid email address is required")
                fields[key] = raw
            else:
                value = text.clean(raw) or ""
                if len(value) > 2048:
                    raise InvalidRequest(f"{key} is too long")
                fields[key] = value
        if fields:
            async with self.db.transaction() as tx:
                await repo.update(tx, account.id, fields)

    async def avatar_image(self, account: Account) -> Image | None:
        """The image the avatar setting names (its id, or a link to it or to a thumbnail of it), when
        it is one of the account's own; anything else shows no picture."""
        stem = (account.avatar or "").strip().rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        stem = stem.split(".", 1)[0]
        for ref in (stem, stem[:-1] if stem[-1:] in _SIZES else ""):
            image = await self.images.find(ref) if ref else None
            if image is not None and image.account_id == account.id:
                return image
        return None

    # ------------------------------------------------------------ images and favorites

    async def list_images(self, account: Account, *, page: int, per_page: int) -> list[Image]:
        return await repo.images(self.db, account.id, limit=per_page, offset=page * per_page)

    async def image_ids(self, account: Account, *, page: int, per_page: int) -> list[str]:
        return await repo.image_ids(self.db, account.id, limit=per_page, offset=page * per_page)

    async def image_count(self, account: Account) -> int:
        return await repo.image_count(self.db, account.id)

    async def stats(self, account: Account) -> dict[str, int]:
        await self.images.views.flush(self.db)  # so the totals include views still counted in memory
        t = await repo.image_totals(self.db, account.id)
        return {
            "total_images": int(t["n"]),
            "total_views": int(t["views"]),
            "total_bandwidth": int(t["bandwidth"]),
            "total_size": int(t["size"]),
        }

    async def toggle_favorite(self, subject: Subject, image_id: str) -> str:
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        image = await self.images.get(image_id)
        async with self.db.transaction() as tx:
            if await repo.is_favorite(tx, subject.account_id, image.id):
                await repo.remove_favorite(tx, subject.account_id, image.id)
                return "unfavorited"
            await repo.add_favorite(tx, subject.account_id, image.id, int(time.time()))
            return "favorited"

    async def is_favorite(self, subject: Subject, image_id: str) -> bool:
        if subject.account_id is None:
            return False
        return await repo.is_favorite(self.db, subject.account_id, image_id)

    async def favorites(
        self, account: Account, *, newest: bool, page: int, per_page: int
    ) -> list[Image | Album]:
        """One page of what the account favorited, images and albums in the order they were favorited:
        three queries whatever the page size (the references, then the images and the albums they name)."""
        refs = await repo.favorite_refs(
            self.db, account.id, newest=newest, limit=per_page, offset=page * per_page
        )
        images = {
            i.id: i for i in await image_repo.many(self.db, [r.item_id for r in refs if r.kind == "image"])
        }
        albums = {
            a.id: a for a in await album_repo.many(self.db, [r.item_id for r in refs if r.kind == "album"])
        }
        out: list[Image | Album] = []
        for ref in refs:
            item = images.get(ref.item_id) if ref.kind == "image" else albums.get(ref.item_id)
            if item is not None:
                out.append(item)
        return out

    # ------------------------------------------------------------ deletion

    async def delete(self, account: Account) -> None:
        """Remove the account and everything it owns: images (and their files once unused), tokens,
        favorites, albums. Images go first, one by one through the image service, so that a failure
        part-way leaves an account with fewer images, never a file without a row or a row without a file."""
        for image_id in await repo.all_image_ids(self.db, account.id):
            image = await image_repo.get(self.db, image_id)
            if image is not None:
                await self.images.remove(image)
        for hook in self.before_delete:
            await hook(account.id)
        async with self.db.transaction() as tx:
            await repo.delete(tx, account.id)

    async def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await repo.all_accounts(self.db)]


def _check_username(username: str) -> None:
    if not USERNAME.match(username or "") or username.lower() in RESERVED:
        raise InvalidRequest("Usernames are 4 to 63 letters and digits")


def _check_password(password: str) -> None:
    if not password or len(password) < 8:
        raise InvalidRequest("Passwords need at least 8 characters")
    if len(password) > 1024:
        raise InvalidRequest("Password is too long")
