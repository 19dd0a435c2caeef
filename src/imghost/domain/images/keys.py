"""Storage keys derive from the content hash: identical bytes share one original and its variants."""


def original(sha: str) -> str:
    return f"o/{sha[:2]}/{sha}"


def mp4(sha: str) -> str:
    return f"v/{sha[:2]}/{sha}.mp4"


def thumb(sha: str, suffix: str) -> str:
    return f"t/{sha[:2]}/{sha}/{suffix}.jpg"


def derived(sha: str) -> list[str]:
    return [mp4(sha), *(thumb(sha, s) for s in "sbtmlh")]
