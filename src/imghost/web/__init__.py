"""The web front end: server-rendered pages for people, the third surface beside /3 and the CLI.

Conventions every page follows (so that later pages slot in):
- a thin handler per page: resolve the viewer (viewer.viewer / viewer.signed_in), call services, then
  templating.render(request, v, "name.html", context); templates extend base.html and display only;
- a form that changes anything posts with {{ csrf_input() }}; its handler starts with forms.submitted(),
  answers with forms.see_other() (POST/redirect/GET), or JSON when a script asked (forms.wants_json);
- errors are raised from the one hierarchy (imghost.errors) and rendered by web.errors as pages;
- styles go in static/css (one bundle), scripts are ES modules in static/js, loaded by the pages that need
  them; no inline script or style anywhere (the CSP forbids it).
"""

from __future__ import annotations

from fastapi import APIRouter

from imghost.web import (
    account,
    account_media,
    albums,
    apps,
    auth,
    comment_reports,
    community_pages,
    export,
    gallery_pages,
    home,
    image_pages,
    message_settings,
    messages_pages,
    notifications,
    oauth,
    oembed,
    profile,
    system,
    uploads,
)

# Order matters: the image page's /{id} takes whatever single path segment is left, so it goes last.
WEB_ROUTERS: list[APIRouter] = [
    system.router,
    auth.router,
    oauth.router,
    account.router,
    message_settings.router,
    notifications.router,
    export.router,
    account_media.router,
    apps.router,
    profile.router,
    messages_pages.router,
    home.router,
    uploads.router,
    albums.router,
    oembed.router,
    # /t/{tag} and /r/{name} are two segments, but stay ahead of the image page all the same.
    community_pages.router,
    comment_reports.router,
    gallery_pages.router,
    image_pages.router,
]
