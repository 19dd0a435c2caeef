"""One error hierarchy for the whole program; each surface (API, web, CLI) renders it its own way."""

from __future__ import annotations

from typing import Any


class ImghostError(Exception):
    status = 500
    public = "Internal error"
    # Imgur sends upload failures as an object {code, message, type, exception}.
    code: int | None = None
    # Response headers the error needs on its answer (Retry-After), as (name, value).
    headers: tuple[tuple[str, str], ...] = ()

    def __init__(self, public: str | None = None, *, code: int | None = None) -> None:
        if public is not None:
            self.public = public
        if code is not None:
            self.code = code
        super().__init__(self.public)

    def payload(self) -> str | dict[str, Any]:
        if self.code is None:
            return self.public
        return {"code": self.code, "message": self.public, "type": "ImgurException", "exception": []}


class InvalidRequest(ImghostError):
    status = 400
    public = "Bad request"


class Unauthorized(ImghostError):
    status = 401
    public = "Authentication required"


class Forbidden(ImghostError):
    status = 403
    public = "Permission denied"


class NotFound(ImghostError):
    status = 404
    public = "Not found"


class MethodNotAllowed(ImghostError):
    status = 405
    public = "Method not allowed"


class PayloadTooLarge(ImghostError):
    # Imgur answers over-limit uploads with 400; clients only look at 200 vs not.
    status = 400
    code = 1003
    public = "File is over the size limit"


class ParametersTooLarge(ImghostError):
    # Everything but the uploaded file: refused as soon as the limit is crossed, before the rest is read.
    status = 413
    public = "Request parameters are too large"


class RequestTimeout(ImghostError):
    # A request body that arrives too slowly: the worker stops waiting for it.
    status = 408
    public = "The request body did not arrive in time"


class UnsupportedMedia(ImghostError):
    status = 400
    code = 1003
    public = "File type invalid (1)"


class RateLimited(ImghostError):
    status = 429
    public = "Too Many Requests"


class ServiceUnavailable(ImghostError):
    status = 503
    public = "Imgur is temporarily over capacity. Please try again later."


class Busy(ServiceUnavailable):
    """Heavy media work (transcodes, conversions) is at its concurrency limit in this process: try again."""

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__()
        self.headers = (("Retry-After", str(retry_after)),)


class BlobNotFound(ImghostError):
    status = 404
    public = "File not found"


class _Missing(NotFound):
    """A not-found error naming what is missing, in Imgur's wording."""

    template = "{}"

    def __init__(self, name: object) -> None:
        super().__init__(self.template.format(name))


class ImageNotFound(_Missing):
    template = "Unable to find an image with the id, {}"


class DeletehashNotFound(NotFound):
    public = "Unable to find an image with that deletehash"


class AlbumNotFound(_Missing):
    template = "Unable to find an album with the id, {}"


class AccountNotFound(_Missing):
    template = "Unable to find an account with the username, {}"


class AccountIdNotFound(_Missing):
    template = "Unable to find an account with the id, {}"


class ClientNotFound(_Missing):
    template = "No client with the id {}"


class SignInRequired(Unauthorized):
    """A page that needs a signed-in person: the web sends them to /signin and back (`next`)."""

    public = "Sign in to see this page"

    def __init__(self, next_path: str = "/") -> None:
        super().__init__()
        self.next_path = next_path


class CsrfRejected(Forbidden):
    public = "This form expired or came from another site. Go back, reload the page and try again."


class GalleryItemNotFound(_Missing):
    template = "Unable to find a gallery item with the id, {}"


class CommentNotFound(_Missing):
    template = "Unable to find a comment with the id, {}"


class TagNotFound(NotFound):
    public = "Tag does not exist"


class Conflict(ImghostError):
    status = 409
    public = "Conflict"


class TermsNotAccepted(Forbidden):
    public = "You must accept the gallery terms to share: send terms=1 (or accept them in your settings)"


class Banned(Forbidden):
    public = "This account is banned from posting"


class ReportNotFound(_Missing):
    template = "Unable to find a report with the id, {}"


class AdminRequired(Forbidden):
    public = "This method requires an admin account"


class PostTagNotFound(_Missing):
    template = "This gallery item is not tagged {}"


class NotFollowingTag(Conflict):
    public = "Not following tag"


class TopicNotFound(_Missing):
    template = "Unable to find a topic with the id, {}"


class TopicExists(Conflict):
    public = "A topic with that name exists"


class CommentRateLimited(RateLimited):
    """An account past its comments per hour (settings.comments_per_hour)."""

    def __init__(self, wait_seconds: int) -> None:
        minutes = max(1, -(-wait_seconds // 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"You are commenting too fast. Please wait {minutes} more {unit}.")
        self.headers = (("Retry-After", str(wait_seconds)),)


class InvalidSearch(InvalidRequest):
    """A gallery search that cannot be run: nothing to look for, or past the bounds of domain/search/query.py."""

    public = "Invalid search"


class MessageNotFound(_Missing):
    template = "Unable to find a message with the id, {}"


class ConversationNotFound(_Missing):
    template = "Unable to find a conversation with the id, {}"


class MessagingClosed(Forbidden):
    """The recipient takes no messages from the sender: its inbox is closed (messaging_enabled false)
    or it blocked the sender. One wording for both, so a sender cannot tell that it was blocked."""

    public = "This user is not accepting messages from you"


class MessageRateLimited(RateLimited):
    """An account past its messages or its new conversations per hour (settings)."""

    def __init__(self, what: str, wait_seconds: int) -> None:
        minutes = max(1, -(-wait_seconds // 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"You are {what} too fast. Please wait {minutes} more {unit}.")
        self.headers = (("Retry-After", str(wait_seconds)),)


class NotificationNotFound(_Missing):
    template = "Unable to find a notification with the id, {}"
