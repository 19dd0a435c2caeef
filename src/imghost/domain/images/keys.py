"""Storage keys derive from the blob id: images with identical bytes share one original and its variants."""


def original(blob: str) -> str:
    return f"o/{blob[:2]}/{blob}"


def mp4(blob: str) -> str:
    return f"v/{blob[:2]}/{blob}.mp4"


def thumb(blob: str, suffix: str) -> str:
    return f"t/{blob[:2]}/{blob}/{suffix}.jpg"


def derived(blob: str) -> list[str]:
    return [mp4(blob), *(thumb(blob, s) for s in "sbtmlh")]
