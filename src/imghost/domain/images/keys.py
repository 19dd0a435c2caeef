"""Storage keys derive from the blob id: images with identical bytes share one original and its variants."""


def original(blob: str) -> str:
    return f"o/{blob[:2]}/{blob}"


def mp4(blob: str) -> str:
    return f"v/{blob[:2]}/{blob}.mp4"


def thumb(blob: str, suffix: str) -> str:
    return f"t/{blob[:2]}/{blob}/{suffix}.jpg"


def derived(blob: str) -> list[str]:
    return [mp4(blob), *(thumb(blob, s) for s in "sbtmlh")]


PREFIXES = ("o/", "v/", "t/")


def blob_of(key: str) -> str | None:
    """The blob a stored key belongs to (the inverse of the functions above), or None for anything else."""
    parts = key.split("/")
    if len(parts) == 3 and parts[0] == "o":
        return parts[2]
    if len(parts) == 3 and parts[0] == "v" and parts[2].endswith(".mp4"):
        return parts[2][:-4]
    if len(parts) == 4 and parts[0] == "t":
        return parts[2]
    return None
