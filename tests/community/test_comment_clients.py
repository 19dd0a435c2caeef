"""Comments through the real client libraries, unmodified: imgurpython 1.1.7 and PyImgur 0.8.1.

imgurpython 1.1.7 has no post_comment or get_account_comment: it comments through gallery_comment
(POST gallery/{id}/comment); the other two calls are made through its own make_request, which sends
what its methods send (form bodies, and on GET the parameters both as query and as body)."""

from __future__ import annotations

import httpx
import pyimgur
import pytest
from imgurpython.helpers.error import ImgurClientError
from imgurpython.imgur.models.comment import Comment as IpComment
from pyimgur.exceptions import ResourceNotFoundError

from tests.accounts.helpers import User, make_user
from tests.client_libs import imgurpython_as
from tests.community.gallery_helpers import shared_image
from tests.community.test_comments import COMMENT_KEYS, comment, get_comment
from tests.live import LiveServer


@pytest.fixture
def people(server: LiveServer, session_client: tuple[str, str]) -> tuple[User, User, User]:
    return (
        make_user(server, session_client, prefix="owner"),
        make_user(server, session_client, prefix="ipuser"),
        make_user(server, session_client, prefix="other"),
    )


def test_imgurpython_comments(
    api: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    people: tuple[User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner, me, other = people
    post = shared_image(api, owner)["id"]
    client = imgurpython_as(server, session_client, me, monkeypatch)

    made = client.gallery_comment(post, "from imgurpython")
    assert set(made) == {"id"} and isinstance(made["id"], int)
    top = made["id"]
    reply = client.post_comment_reply(top, post, "a reply from imgurpython")["id"]
    direct = client.make_request("POST", "comment", {"image_id": post, "comment": "via POST /3/comment"})[
        "id"
    ]
    theirs = comment(api, other, post, "someone else's", parent=reply)

    trees = client.gallery_item_comments(post, sort="new")
    assert [c.id for c in trees] == [direct, top]
    first = trees[1]
    assert isinstance(first, IpComment) and first.comment == "from imgurpython" and first.author == me.name
    assert first.image_id == post and first.parent_id == 0 and first.deleted is False
    assert [c.id for c in first.children] == [reply]
    assert isinstance(first.children[0], IpComment)
    assert [c.id for c in first.children[0].children] == [theirs] and first.children[0].children[
        0
    ].children == []

    one = client.get_comment(top)
    assert isinstance(one, IpComment) and set(vars(one)) == COMMENT_KEYS and one.id == top
    replies = client.get_comment_replies(top)
    assert replies.id == top and [c.id for c in replies.children] == [reply]

    assert client.comment_vote(theirs, "up") is True
    assert client.comment_vote(top, "down") is True
    seen = client.get_comment(theirs)
    assert (seen.ups, seen.downs, seen.vote) == (1, 0, "up")
    assert client.comment_vote(theirs, "veto") is True
    assert client.get_comment(theirs).ups == 0

    assert sorted(client.gallery_comment_ids(post)) == sorted([top, reply, direct, theirs])
    assert client.gallery_comment_count(post) == 4

    mine = client.get_account_comments(me.name, sort="oldest", page=0)
    assert [c.id for c in mine] == [top, reply, direct] and all(isinstance(c, IpComment) for c in mine)
    assert client.get_account_comments(me.name, sort="newest", page=1) == []
    assert client.get_account_comment_ids(me.name, sort="newest", page=0) == [direct, reply, top]
    assert client.get_account_comment_count(me.name) == 3
    assert client.get_account_comment_count("me") == 3
    single = client.make_request("GET", f"account/{me.name}/comment/{reply}")
    assert single["id"] == reply and [c["id"] for c in single["children"]] == [theirs]

    # Deleting: its own (the one with a reply stays as deleted), never someone else's.
    assert client.delete_comment(reply) is True
    assert client.get_comment(reply).deleted is True
    assert client.delete_comment(direct) is True
    with pytest.raises(ImgurClientError) as missing:
        client.get_comment(direct)
    assert missing.value.status_code == 404
    with pytest.raises(ImgurClientError) as refused:
        client.delete_comment(theirs)
    assert refused.value.status_code == 403
    assert client.make_request("DELETE", f"account/{me.name}/comment/{top}") is True
    assert (
        client.gallery_comment_count(post) == 1
    )  # top and reply stay as deleted, for the reply to the reply
    (kept,) = client.gallery_item_comments(post)
    assert (kept.id, kept.deleted, kept.author) == (top, True, "[deleted]")
    assert [(c.id, c.deleted) for c in kept.children] == [(reply, True)]
    assert [c.id for c in kept.children[0].children] == [theirs]
    assert get_comment(api, theirs)["deleted"] is False


def test_pyimgur_comments(
    api: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    people: tuple[User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner, me, other = people
    post = shared_image(api, owner)["id"]
    monkeypatch.setattr(pyimgur, "IMGUR_BASE", server.url)
    im = pyimgur.Imgur(
        session_client[0], session_client[1], access_token=me.access_token, refresh_token=me.refresh_token
    )
    item = im.get_gallery_image(post)

    made = item.comment("from PyImgur")
    assert made.text == "from PyImgur"  # fetched lazily from /3/comment/{id}
    assert made.author.name == me.name and made.image.id == post and made.parent is None
    reply = made.reply("a reply from PyImgur")
    assert reply.parent.id == made.id and reply.text == "a reply from PyImgur"
    other_top = comment(api, other, post, "another top-level comment")

    made.upvote()
    reply.downvote()
    top = im.get_comment(made.id)
    assert (top.ups, top.downs, top.points, top.vote) == (1, 0, 1, "up")
    assert [r.id for r in top.replies] == [reply.id]
    assert im.get_comment(reply.id).downs == 1

    # Gallery_item.get_comments pages /comments/{sort}/{page} until a page is empty.
    comments = item.get_comments(sort="new")
    assert [c.id for c in comments] == [other_top, made.id]
    assert [r.id for r in comments[1].replies] == [reply.id] and comments[1].replies[0].replies == []
    assert [c.id for c in item.get_comments(sort="top")] == [made.id, other_top]
    assert [c.id for c in item.get_comments(sort="best", limit=1)] == [made.id]
    assert [r.id for r in made.get_replies()] == [reply.id]

    user = im.get_user(me.name)
    assert [c.id for c in user.get_comments(sort="oldest")] == [made.id, reply.id]
    assert [c.id for c in user.get_comments()] == [reply.id, made.id]
    assert [c.text for c in user.get_comments(sort="best")][0] == "from PyImgur"
    with pytest.raises(ResourceNotFoundError):
        im.get_comment(10**15)
