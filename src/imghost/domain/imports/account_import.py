"""`imghost import account`: an account's images, albums and favourites through the Imgur API of any
server (api.imgur.com, or another imghost), into a local account, under the same ids.

What is read, in this order (`who` is `me` with a token, else the account's name):
- `/3/account/{who}` (the bio) and, with a token, `/3/account/me/settings`;
- `/3/account/{who}/images/{page}` until a page brings nothing new;
- `/3/account/{who}/albums/{page}`, then for each album `/3/album/{id}` (privacy, cover, time) and
  `/3/album/{id}/images` (the order);
- with a token, `/3/account/{who}/favorites/{page}/oldest`.
Each original is fetched from the image's `link`. The fetches go through the polite Fetcher (URL-upload
rules, Retry-After, 429, X-RateLimit-*), the landing through archive.Landing (the state file, the report)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imghost.domain.accounts.model import Account
from imghost.domain.images.service import UploadMeta
from imghost.domain.imports import fetcher as fx
from imghost.domain.imports.archive import SETTINGS, ArchiveServices, Incoming, Landing, album_fields
from imghost.domain.imports.fetcher import Fetcher, FetchError
from imghost.domain.imports.report import FAILED, REMOVED, Entry, Report
from imghost.domain.imports.state import StateFile
from imghost.errors import ImghostError

_MAX_PAGES = 10_000
NEEDS_TOKEN = "needs --token (the account's own access token)"


@dataclass
class Plan:
    """What the source holds, listed before anything is fetched (so that a progress bar knows its total)."""

    images: list[dict[str, Any]] = field(default_factory=list)
    albums: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    favorites: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.images) + len(self.albums)


class AccountImport:
    def __init__(
        self,
        svc: ArchiveServices,
        account: Account,
        fetcher: Fetcher,
        *,
        who: str,
        state: StateFile,
        report: Report,
    ) -> None:
        self.svc = svc
        self.account = account
        self.fetcher = fetcher
        self.who = who
        self.state = state
        self.report = report
        self.signed_in = bool(fetcher.token)

    async def plan(self) -> Plan | None:
        """The listing, or None (reported) when the source cannot be read at all: refused address,
        unknown account, wrong credentials."""
        plan = Plan()
        try:
            plan.profile = _obj(await self.fetcher.get_data(f"/3/account/{self.who}"))
        except FetchError as exc:
            self.report.add(Entry("account", self.who, FAILED, reason=exc.reason))
            return None
        if self.signed_in:
            try:
                plan.settings = _obj(await self.fetcher.get_data(f"/3/account/{self.who}/settings"))
            except FetchError as exc:
                self.report.notes.append(f"settings not read: {exc.reason}")
        try:
            plan.images = await self._pages(f"/3/account/{self.who}/images")
        except FetchError as exc:
            why = NEEDS_TOKEN if exc.status in (401, 403) and not self.signed_in else exc.reason
            self.report.add(Entry("images", self.who, FAILED, reason=f"the account's images: {why}"))
        try:
            listed = await self._pages(f"/3/account/{self.who}/albums")
        except FetchError as exc:
            self.report.add(Entry("albums", self.who, FAILED, reason=f"the account's albums: {exc.reason}"))
            listed = []
        for summary in listed:
            got = await self._album(summary)
            if got is not None:
                plan.albums.append(got)
        if self.signed_in:
            try:
                plan.favorites = await self._pages(f"/3/account/{self.who}/favorites", suffix="/oldest")
            except FetchError as exc:
                self.report.notes.append(f"favourites not read: {exc.reason}")
        else:
            self.report.notes.append(f"favourites: {NEEDS_TOKEN}")
        # Images the albums hold that the account listing did not (someone else's, or no listing).
        known = {i["id"] for i in plan.images}
        for _, images in plan.albums:
            for image in images:
                if image["id"] not in known:
                    known.add(image["id"])
                    plan.images.append(image)
        return plan

    async def run(self, plan: Plan, *, parallel: int, step: Callable[[str], None]) -> None:
        landing = Landing(
            self.svc, self.account, state=self.state, report=self.report, parallel=parallel, step=step
        )
        await self._settings(plan)
        await landing.images([self._incoming(i) for i in plan.images])
        for data, images in plan.albums:
            await landing.album(
                str(data["id"]),
                album_fields(data),
                [i["id"] for i in images],
                created_at=_int(data.get("datetime")),
            )
        if plan.favorites:
            await landing.favorites(
                [str(f["id"]) for f in plan.favorites if not f.get("is_album")],
                [str(f["id"]) for f in plan.favorites if f.get("is_album")],
            )
        stats = self.fetcher.stats
        self.report.extra.update(
            requests=stats.requests, retries=stats.retries, waited=round(stats.waited, 1)
        )

    # ---------------------------------------------------------------- reading the source

    async def _pages(self, path: str, *, suffix: str = "") -> list[dict[str, Any]]:
        """Every item of a paged listing, until a page is empty or brings nothing new (a server that
        ignores the page number must not loop for ever)."""
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for page in range(_MAX_PAGES):
            rows = await self.fetcher.get_data(f"{path}/{page}{suffix}")
            if not isinstance(rows, list):
                raise FetchError(f"{path}/{page} is not a list")
            fresh = [r for r in rows if isinstance(r, dict) and _id(r) and _id(r) not in seen]
            if not fresh:
                break
            seen.update(_id(r) for r in fresh)
            out.extend(fresh)
        return out

    async def _album(self, summary: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        ident = _id(summary)
        try:
            data = {**summary, **_obj(await self.fetcher.get_data(f"/3/album/{ident}"))}
            try:
                listed = await self.fetcher.get_data(f"/3/album/{ident}/images")
            except FetchError:
                listed = data.get("images")
                if not isinstance(listed, list):
                    raise
        except FetchError as exc:
            self.report.add(Entry("album", ident, FAILED, reason=exc.reason))
            return None
        if not isinstance(listed, list):
            self.report.add(Entry("album", ident, FAILED, reason=f"/3/album/{ident}/images is not a list"))
            return None
        return data, [i for i in listed if isinstance(i, dict) and _id(i)]

    def _incoming(self, data: dict[str, Any]) -> Incoming:
        ident = _id(data)
        link = _text(data.get("link")) or self.fetcher.media(f"{ident}.jpg")

        async def fill(dest: Path) -> tuple[str, str] | None:
            got = await self.fetcher.fetch_to(link, dest)
            if got.ok:
                return None
            return (REMOVED if got.outcome == fx.REMOVED else FAILED), got.reason

        meta = UploadMeta(
            title=_text(data.get("title")),
            description=_text(data.get("description")),
            name=(_text(data.get("name")) or "")[:255],
            created_at=_int(data.get("datetime")),
        )
        return Incoming(ident, meta, fill, source_url=link)

    async def _settings(self, plan: Plan) -> None:
        values = {k: _setting(plan.settings[k]) for k in SETTINGS if k in plan.settings}
        bio = plan.profile.get("bio")
        if isinstance(bio, str):
            values["bio"] = bio
        try:
            await self.svc.accounts.update_settings(self.account, values)
        except ImghostError as exc:
            self.report.notes.append(f"settings not carried over: {exc.public}")


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: dict[str, Any]) -> str:
    ident = value.get("id")
    return ident if isinstance(ident, str) and ident.isascii() and ident.isalnum() else ""


def _setting(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _text(value: Any) -> str | None:
    # An empty title or description stays empty: the source said "", not nothing.
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
