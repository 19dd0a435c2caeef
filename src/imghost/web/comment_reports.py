"""POST /gallery/{post}/comment/{comment}/report: a comment's report from the post page, into the same
moderation queue as the API's (POST /3/comment/{id}/report) and the post's own report form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.errors import CommentNotFound, SignInRequired
from imghost.web.forms import see_other, submitted
from imghost.web.viewer import services

router = APIRouter(include_in_schema=False)


def _plain(value: str) -> str:
    return value if value.isascii() and value.isalnum() else ""


@router.post("/gallery/{post_id}/comment/{comment_id}/report")
async def report_comment(request: Request, post_id: str, comment_id: str) -> Response:
    v, form = await submitted(request)
    post = _plain(post_id)
    if not v.signed_in:
        raise SignInRequired(f"/gallery/{post}")
    svc = services(request)
    found = await svc.comments.find(comment_id)
    if found.post_id != post_id:  # a comment of another post is not found here
        raise CommentNotFound(comment_id)
    subject = Subject(client_id=None, account_id=v.account_id, username=v.username)
    await svc.moderation.report_comment(subject, str(found.id), form.get("reason"))
    return see_other(request, v, f"/gallery/{post}?done=reported#c{found.id}")
