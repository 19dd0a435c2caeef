"""Building comment trees from rows (domain/comments/tree.py), without a server: each level sorted by the
same order, hidden comments left out with what is beneath them, and rows from elsewhere (too deep, or
pointing in a circle) never hanging the build."""

from __future__ import annotations

from imghost.domain.comments import tree
from imghost.domain.comments.model import Comment, Thread
from imghost.domain.gallery.ranking import wilson


def row(
    cid: int, parent: int | None = None, *, ups: int = 0, downs: int = 0, at: int = 0, hidden: bool = False
) -> Comment:
    return Comment(
        id=cid,
        post_id="abc1234",
        on_album=False,
        account_id=1,
        author="someone",
        author_is_admin=False,
        parent_id=parent,
        body=f"comment {cid}",
        ups=ups,
        downs=downs,
        points=ups - downs,
        best=wilson(ups, downs),
        deleted=False,
        platform="api",
        hidden=hidden,
        created_at=at or cid,
    )


def shape(threads: list[Thread]) -> list[object]:
    return [(t.comment.id, shape(t.children)) if t.children else t.comment.id for t in threads]


def test_every_level_sorted_the_same_way() -> None:
    rows = [
        row(1, ups=6, downs=2),
        row(2, ups=3),
        row(3, ups=1),
        row(4),
        row(11, 1, ups=6, downs=2),
        row(12, 1, ups=3),
        row(13, 1),
        row(21, 12, ups=1),
        row(22, 12, ups=2),
    ]
    assert shape(tree.build(rows, "best")) == [2, (1, [(12, [22, 21]), 11, 13]), 3, 4]
    assert shape(tree.build(rows, "top")) == [(1, [11, (12, [22, 21]), 13]), 2, 3, 4]
    assert shape(tree.build(rows, "new")) == [4, 3, 2, (1, [13, (12, [22, 21]), 11])]
    # An unknown order is best; a subtree is built from its root's parent.
    assert shape(tree.build(rows, "nonsense")) == shape(tree.build(rows, "best"))
    assert shape(tree.build(rows, "new", root=1)) == [13, (12, [22, 21]), 11]


def test_ties_go_to_the_newer_then_the_higher_id() -> None:
    rows = [row(5, at=100), row(6, at=100), row(7, at=99)]
    assert shape(tree.build(rows, "best")) == [6, 5, 7]
    assert shape(tree.build(rows, "new")) == [6, 5, 7]


def test_hidden_comments_go_with_their_replies_unless_asked_for() -> None:
    rows = [row(1), row(2, hidden=True), row(3, 2), row(4, 1, hidden=True)]
    assert shape(tree.build(rows, "new")) == [1]
    assert shape(tree.build(rows, "new", root=None, show=2)) == [(2, [3]), 1]
    assert tree.flatten_ids(tree.build(rows, "new", show=2)) == [2, 3, 1]


def test_rows_from_elsewhere_never_hang_the_build() -> None:
    chain = [row(1)] + [row(n, n - 1) for n in range(2, 200)]
    built = tree.build(chain, "best")
    depth, node = 1, built[0]
    while node.children:
        depth, node = depth + 1, node.children[0]
    assert depth == tree.MAX_DEPTH
    # A circle below the top level: every comment of it appears once.
    looped = [row(1), row(2, 1), row(3, 2), row(2, 3)]
    assert sorted(t.comment.id for t in tree.walk(tree.build(looped, "new"))) == [1, 2, 3]
