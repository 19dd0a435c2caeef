"""The security headers of every HTML page and every media answer.

Pages load scripts and styles only from this site's own files and have nothing inline, so their policy
needs neither 'unsafe-inline' nor hashes. No page may be framed: the sign-in and delete forms are exactly
what clickjacking wants. Media answers are user content: a file that some
browser decides to render as a document gets a sandbox (an opaque origin, no script), and nosniff stops
it being taken for another type."""

from __future__ import annotations

NOSNIFF = (b"x-content-type-options", b"nosniff")
MEDIA: list[tuple[bytes, bytes]] = [(b"content-security-policy", b"sandbox"), NOSNIFF]


def site_page_headers(*, media_origin: str = "") -> list[tuple[bytes, bytes]]:
    """Headers of the web front end's pages: every style and script is a file of this site (no inline
    code at all, so no 'unsafe-inline' and no hashes to keep in step), images and video from this site
    (and the object store's origin when media answers redirect there), script calls to this site only.
    blob: lets the upload page preview a chosen file before it is sent."""
    media = "'self' blob: data:" + (f" {media_origin}" if media_origin else "")
    directives = [
        "default-src 'none'",
        f"img-src {media}",
        f"media-src {media}",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        # form-action stays open: the OAuth sign-in form's answer redirects to the application's own
        # redirect URI, and browsers check that redirect against form-action.
    ]
    return [
        (b"content-security-policy", "; ".join(directives).encode()),
        NOSNIFF,
        (b"x-frame-options", b"DENY"),
        # Links out of a page tell the other site only that it came from here, not which image page.
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
