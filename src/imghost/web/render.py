from __future__ import annotations

import html

from starlette.responses import HTMLResponse

from imghost.headers import page_headers

# The only styling pages have, inline and allowed by its hash (see imghost.headers): no style attributes.
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "button{font-size:1rem;padding:.5rem 1rem}.danger{background:#c0392b;color:#fff;border:0;"
    "border-radius:4px}img{max-width:100%}code{background:#f3f3f3;padding:0 .2rem}"
    "#error{color:#c0392b}#pin{font-size:2rem}"
)
_HEADERS = {k.decode(): v.decode() for k, v in page_headers(_STYLE)}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)} · imghost</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers=_HEADERS)


def error_page(status: int, message: str) -> HTMLResponse:
    return page("Error", f"<h1>{status}</h1><p>{html.escape(message)}</p>", status)
