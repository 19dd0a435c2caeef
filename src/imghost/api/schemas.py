"""Wire shapes. Tables stay normalised; these mirror Imgur's JSON exactly."""

from __future__ import annotations

from typing import Any

from imghost.domain.accounts.model import Account
from imghost.domain.albums.model import Album
from imghost.domain.images.model import Image


def image_json(
    image: Image, base_url: str, *, owner: bool, pending: tuple[int, int] = (0, 0), favorite: bool = False
) -> dict[str, Any]:
    iid = image.id
    # ShareX reads these into non-nullable ints and bools: never null.
    data: dict[str, Any] = {
        "id": iid,
        "title": image.title,
        "description": image.description,
        "datetime": image.created_at,
        "type": image.mime,
        "animated": image.animated,
        "width": image.width,
        "height": image.height,
        "size": image.size,
        "views": image.views + pending[0],
        "bandwidth": image.bandwidth + pending[1],
        "vote": None,
        "favorite": favorite,
        "nsfw": image.nsfw,
        "section": None,
        "account_url": image.account_url,
        "account_id": image.account_id,
        "is_ad": False,
        "in_most_viral": False,
        "has_sound": image.has_sound,
        "tags": [],
        "ad_type": 0,
        "ad_url": "",
        "edited": "0",
        "in_gallery": image.in_gallery,
        "deletehash": image.deletehash if owner else "",
        "name": image.name if owner else "",
        "link": f"{base_url}/{iid}.{image.ext}",
        "mp4": f"{base_url}/{iid}.mp4" if image.has_mp4 else "",
        "hls": "",
    }
    if image.animated:
        data["gifv"] = f"{base_url}/{iid}.gifv"
        data["mp4_size"] = image.mp4_size
        data["looping"] = True
    if image.is_video:
        data["processing"] = {"status": "completed"}
    return data


def credits_json(
    user_limit: int, user_remaining: int, user_reset: int, client_limit: int, client_remaining: int
) -> dict[str, int]:
    return {
        "UserLimit": user_limit,
        "UserRemaining": user_remaining,
        "UserReset": user_reset,
        "ClientLimit": client_limit,
        "ClientRemaining": client_remaining,
    }


_TIERS = (
    (20000, "Glorious"),
    (8000, "Renowned"),
    (4000, "Idolized"),
    (2000, "Trusted"),
    (1000, "Liked"),
    (400, "Accepted"),
    (0, "Neutral"),
)


def reputation_name(reputation: float) -> str:
    if reputation < 0:
        return "Forever Alone"
    return next(name for floor, name in _TIERS if reputation >= floor)


def account_json(account: Account, base_url: str, *, reputation: float | None = None) -> dict[str, Any]:
    # imgurpython requires id, url, bio, reputation, created, pro_expiration; PyImgur requires url.
    # reputation: what votes on the account's posts and comments add up to, where the caller knows it.
    # A float, as Imgur's model has it (imgurpython's and PyImgur's users compare it as one).
    score = float(account.reputation if reputation is None else reputation)
    return {
        "id": account.id,
        "url": account.username,
        "bio": account.bio,
        "avatar": account.avatar,
        "avatar_name": None,
        "cover": account.cover,
        "cover_name": None,
        "reputation": score,
        "reputation_name": reputation_name(score),
        "created": account.created_at,
        "pro_expiration": False,
        "user_follow": {"status": False},
        "is_blocked": False,
    }


def settings_json(account: Account, blocked: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    """The settings; `blocked` is the accounts this one blocked from messaging it, as (id, username)."""
    return {
        "account_url": account.username,
        "email": account.email,
        "avatar": account.avatar,
        "cover": account.cover,
        "public_images": account.public_images,
        "album_privacy": account.album_privacy,
        "pro_expiration": False,
        "accepted_gallery_terms": account.accepted_gallery_terms,
        "active_emails": [],
        "messaging_enabled": account.messaging_enabled,
        "comment_replies": True,
        "blocked_users": [{"blocked_id": i, "blocked_url": name} for i, name in blocked or ()],
        "show_mature": account.show_mature,
        "newsletter_subscribed": account.newsletter_subscribed,
        "first_party": True,
        "high_quality": account.high_quality,
        "email_verified": account.email_verified,
    }


def album_json(
    album: Album, base_url: str, *, owner: bool, cover: Image | None, favorite: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": album.id,
        "title": album.title,
        "description": album.description,
        "datetime": album.created_at,
        "cover": album.cover,
        "cover_edited": None,
        "cover_width": cover.width if cover else 0,
        "cover_height": cover.height if cover else 0,
        "account_url": album.account_url,
        "account_id": album.account_id,
        "privacy": album.privacy,
        "layout": album.layout,
        "views": album.views,
        "link": f"{base_url}/a/{album.id}",
        "favorite": favorite,
        "nsfw": None,
        "section": None,
        "images_count": album.images_count,
        "in_gallery": album.in_gallery,
        "is_ad": False,
        "include_album_ads": False,
        "is_album": True,
        "order": 0,
    }
    if owner:
        data["deletehash"] = album.deletehash
    return data
