"""Comment trees: a post's comments (or one comment's subtree) as threads, each level sorted the same way.

Orders (ranking.py documents the scores): best by the stored Wilson lower bound, top by points, new
newest first; ties go to the newer comment, then the higher id, so every order is total and stable.
A hidden comment (too many open reports, until reviewed) is left out with everything beneath it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from imghost.domain.comments.model import Comment, Thread

MAX_DEPTH = 50  # levels of a thread, the top-level comment included

SortKey = Callable[[Comment], tuple[float, ...]]

KEYS: dict[str, SortKey] = {
    "best": lambda c: (-c.best, -c.points, -c.created_at, -c.id),
    "top": lambda c: (-c.points, -c.best, -c.created_at, -c.id),
    "new": lambda c: (-c.created_at, -c.id),
}


def sort_key(sort: str) -> SortKey:
    return KEYS.get(sort, KEYS["best"])


def build(
    comments: Iterable[Comment], sort: str, *, root: int | None = None, show: int | None = None
) -> list[Thread]:
    """The threads under `root` (a comment's parent id; None: the top level), sorted by `sort` at
    every level. `show` is a comment shown even when hidden (the one asked for by id)."""
    by_parent: dict[int | None, list[Comment]] = {}
    for c in comments:
        if not c.hidden or c.id == show:
            by_parent.setdefault(c.parent_id, []).append(c)
    key = sort_key(sort)
    top = [Thread(c) for c in sorted(by_parent.get(root, ()), key=key)]
    # Without recursion, and cut at MAX_DEPTH: replies are refused deeper than that, but rows may come
    # from elsewhere (an import, a bulk loader), and JSON encoders stop at a nesting depth.
    todo = [(t, 1) for t in top]
    seen = {t.comment.id for t in top}
    while todo:
        thread, level = todo.pop()
        if level >= MAX_DEPTH:
            continue
        replies = [c for c in by_parent.get(thread.comment.id, ()) if c.id not in seen]
        seen.update(c.id for c in replies)
        thread.children = [Thread(c) for c in sorted(replies, key=key)]
        todo.extend((t, level + 1) for t in thread.children)
    return top


def walk(threads: Sequence[Thread]) -> list[Thread]:
    """Every thread of these trees, each once."""
    out: list[Thread] = []
    todo = list(threads)
    while todo:
        t = todo.pop()
        out.append(t)
        todo.extend(t.children)
    return out


def flatten_ids(threads: Sequence[Thread]) -> list[int]:
    """The ids of these trees in reading order (each thread, then its replies)."""
    out: list[int] = []
    todo = list(reversed(threads))
    while todo:
        t = todo.pop()
        out.append(t.comment.id)
        todo.extend(reversed(t.children))
    return out
