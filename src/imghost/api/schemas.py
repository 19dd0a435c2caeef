"""Wire shapes. Tables stay normalised; these mirror Imgur's JSON exactly."""

from __future__ import annotations

from typing import Any

from imghost.db.database import Row


def image_json(row: Row, base_url: str, *, owner: bool, pending: tuple[int, int] = (0, 0),
               favorite: bool = False) -> dict[str, Any]:
    iid = row["id"]
    animated = bool(row["animated"])
    is_video = row["mime"].startswith("video/")
    has_mp4 = bool(row["mp4_size"]) or row["mime"] == "video/mp4"
    # ShareX reads these into non-nullable ints and bools: never null.
    data: dict[str, Any] = {
        "id": iid,
        "title": row["title"],
        "description": row["description"],
        "datetime": int(row["created_at"]),
        "type": row["mime"],
        "animated": animated,
        "width": int(row["width"]),
        "height": int(row["height"]),
        "size": int(row["size"]),
        "views": int(row["views"]) + pending[0],
        "bandwidth": int(row["bandwidth"]) + pending[1],
        "vote": None,
        "favorite": favorite,
        "nsfw": None if row["nsfw"] is None else bool(row["nsfw"]),
        "section": None,
        "account_url": row.get("account_url"),
        "account_id": row["account_id"],
        "is_ad": False,
        "in_most_viral": False,
        "has_sound": bool(row["has_sound"]),
        "tags": [],
        "ad_type": 0,
        "ad_url": "",
        "edited": "0",
        "in_gallery": False,
        "deletehash": row["deletehash"] if owner else "",
        "name": row["name"] if owner else "",
        "link": f"{base_url}/{iid}.{row['ext']}",
        "mp4": f"{base_url}/{iid}.mp4" if has_mp4 else "",
        "hls": "",
    }
    if animated:
        data["gifv"] = f"{base_url}/{iid}.gifv"
        data["mp4_size"] = int(row["mp4_size"])
        data["looping"] = True
    if is_video:
        data["processing"] = {"status": "completed"}
    return data


def credits_json(user_limit: int, user_remaining: int, user_reset: int, client_limit: int,
                 client_remaining: int) -> dict[str, int]:
    return {"UserLimit": user_limit, "UserRemaining": user_remaining, "UserReset": user_reset,
            "ClientLimit": client_limit, "ClientRemaining": client_remaining}


_TIERS = ((20000, "Glorious"), (8000, "Renowned"), (4000, "Idolized"), (2000, "Trusted"), (1000, "Liked"),
          (400, "Accepted"), (0, "Neutral"))


def reputation_name(reputation: float) -> str:
    if reputation < 0:
        return "Forever Alone"
    return next(name for floor, name in _TIERS if reputation >= floor)


def account_json(row: Row, base_url: str) -> dict[str, Any]:
    # imgurpython requires id, url, bio, reputation, created, pro_expiration; PyImgur requires url.
    return {
        "id": int(row["id"]),
        "url": row["username"],
        "bio": row["bio"],
        "avatar": row["avatar"],
        "avatar_name": None,
        "cover": row["cover"],
        "cover_name": None,
        "reputation": float(row["reputation"]),
        "reputation_name": reputation_name(float(row["reputation"])),
        "created": int(row["created_at"]),
        "pro_expiration": False,
        "user_follow": {"status": False},
        "is_blocked": False,
    }


def settings_json(row: Row) -> dict[str, Any]:
    return {
        "account_url": row["username"],
        "email": row["email"],
        "avatar": row["avatar"],
        "cover": row["cover"],
        "public_images": bool(row["public_images"]),
        "album_privacy": row["album_privacy"],
        "pro_expiration": False,
        "accepted_gallery_terms": bool(row["accepted_gallery_terms"]),
        "active_emails": [],
        "messaging_enabled": bool(row["messaging_enabled"]),
        "comment_replies": True,
        "blocked_users": [],
        "show_mature": bool(row["show_mature"]),
        "newsletter_subscribed": bool(row["newsletter_subscribed"]),
        "first_party": True,
        "high_quality": bool(row["high_quality"]),
        "email_verified": bool(row["email_verified"]),
    }


def album_json(row: Row, base_url: str, *, owner: bool, cover: Row | None, favorite: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "datetime": int(row["created_at"]),
        "cover": row["cover"],
        "cover_edited": None,
        "cover_width": int(cover["width"]) if cover else 0,
        "cover_height": int(cover["height"]) if cover else 0,
        "account_url": row.get("account_url"),
        "account_id": row["account_id"],
        "privacy": row["privacy"],
        "layout": row["layout"],
        "views": int(row["views"]),
        "link": f"{base_url}/a/{row['id']}",
        "favorite": favorite,
        "nsfw": None,
        "section": None,
        "images_count": int(row["images_count"]),
        "in_gallery": False,
        "is_ad": False,
        "include_album_ads": False,
        "is_album": True,
        "order": 0,
    }
    if owner:
        data["deletehash"] = row["deletehash"]
    return data
