"""Page audits of the web front end: Lighthouse scores and first-visit page weight.

    python bench/lighthouse.py            # installs lighthouse@12.2.3 under bench/.node on first use

Starts its own `imghost serve` (embedded default) with a signed-in account, an image and an album, then
shares four of the account's images to the gallery through the share page and gives one of the posts 200
comments through the post page's form (a third of them replies), and:
- Lighthouse (Debian's Chromium, CHROME_PATH) on `/`, an image page, an album page, `/gallery`, the post
  page with its 200 comments and `/account/images` (the last with the session cookie): performance,
  accessibility, best practices and SEO, each 0-100.
  Target: each >= 95 (SEO on the public pages; `/account/images` is noindex on purpose).
- The weight of a first visit (empty cache) to `/` and to an image page: the HTML, CSS and JS bytes as
  sent (compressed), images and video excluded, read from the browser's own network record (Playwright).
  Target: <= 100 KB each.
Prints a table and writes bench/out/lighthouse-<time>.json."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from common import OUT_DIR, Imghost, log, small_jpeg, vary_jpeg

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / ".node"
LIGHTHOUSE = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET_SCORE = 95
TARGET_KB = 100


def ensure_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    NODE_DIR.mkdir(exist_ok=True)
    log("installing lighthouse@12.2.3 (npm) ...")
    subprocess.run(
        ["npm", "install", "--no-save", "--no-package-lock", "--silent", "-E", "lighthouse@12.2.3"],
        cwd=NODE_DIR,
        check=True,
    )


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    if not m:
        raise RuntimeError("no CSRF token on the page")
    return m.group(1)


def seed(im: Imghost) -> dict[str, str]:
    """A signed-in account with an image and an album, made the way a person and a client would."""
    client_id = im.create_client("audit")
    name = f"audit{os.getpid()}"
    with httpx.Client(base_url=im.url, timeout=60) as web:
        token = csrf_of(web.get("/signup").text)
        r = web.post(
            "/signup",
            data={
                "csrf_token": token,
                "username": name,
                "email": f"{name}@example.test",
                "password": "audit password 1",
                "password2": "audit password 1",
                "next": "/",
            },
        )
        if r.status_code != 303 or "imghost_session" not in web.cookies:
            raise RuntimeError(f"sign-up failed: {r.status_code} {r.text[:300]}")
        session = web.cookies["imghost_session"]
        # The account's own uploads, through the upload page's endpoint (for /account/images).
        token = csrf_of(web.get("/").text)
        mine = []
        for i in range(4):
            data = vary_jpeg(small_jpeg(), f"mine-{i}")
            r = web.post(
                "/upload",
                files={"image": (f"m{i}.jpg", data, "image/jpeg")},
                data={"title": f"Mine {i}"},
                headers={"Accept": "application/json", "X-CSRF-Token": token},
            )
            r.raise_for_status()
            mine.append(r.json()["id"])
        post = share_and_discuss(web, mine, COMMENTS)
    ids, deletehashes = [], []
    with httpx.Client(
        base_url=im.url, timeout=60, headers={"Authorization": f"Client-ID {client_id}"}
    ) as api:
        for i in range(4):
            data = vary_jpeg(small_jpeg(), f"audit-{i}")
            r = api.post(
                "/3/image", files={"image": (f"a{i}.jpg", data, "image/jpeg")}, data={"title": f"Photo {i}"}
            )
            r.raise_for_status()
            ids.append(r.json()["data"]["id"])
            deletehashes.append(r.json()["data"]["deletehash"])
        r = api.post("/3/album", data={"title": "Audit album", "deletehashes[]": deletehashes})
        r.raise_for_status()
        album = r.json()["data"]["id"]
    return {"session": session, "image": ids[0], "album": album, "post": post}


COMMENTS = 200


def share_and_discuss(web: httpx.Client, images: list[str], comments: int) -> str:
    """Share each image through the share page (the terms accepted on the first), then comment on the
    first post through its page's form, every third comment a reply; returns that post's id."""
    for n, image in enumerate(images):
        token = csrf_of(web.get(f"/share/{image}").text)
        form = {"csrf_token": token, "title": f"Shared photo {n}", "tags": "audit, photos", "terms": "1"}
        r = web.post(f"/share/{image}", data=form)
        if r.status_code != 303:
            raise RuntimeError(f"share {image}: HTTP {r.status_code} {r.text[:300]}")
    post = images[0]
    token = csrf_of(web.get(f"/gallery/{post}").text)
    made: list[int] = []
    for n in range(comments):
        form = {"csrf_token": token, "comment": f"Comment number {n} on this photo, a few words long."}
        if made and n % 3 == 2:
            form["parent"] = str(made[n // 2])
        r = web.post(f"/gallery/{post}/comment", data=form, headers={"Accept": "application/json"})
        if r.status_code != 200:
            raise RuntimeError(f"comment: HTTP {r.status_code} {r.text[:300]}")
        made.append(int(r.json()["id"]))
    return post


def lighthouse(url: str, out: Path, cookie: str = "") -> dict[str, int]:
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking",
        "--output=json",
        f"--output-path={out}",
    ]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=240)
    report = json.loads(out.read_text())
    return {k: round(100 * (report["categories"][k]["score"] or 0)) for k in CATEGORIES}


def page_weight(url: str) -> dict[str, int]:
    """Bytes on the wire of a first visit, by resource type, from Chromium's network record."""
    from playwright.sync_api import sync_playwright

    sizes: dict[str, int] = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        done: list[Any] = []
        page.on("requestfinished", lambda req: done.append(req))
        page.goto(url, wait_until="networkidle")
        for req in done:
            kind = req.resource_type
            body = req.sizes()["responseBodySize"]
            sizes[kind] = sizes.get(kind, 0) + body
        b.close()
    return sizes


def main() -> int:
    ensure_lighthouse()
    tmp = Path(tempfile.mkdtemp(prefix="imghost-audit."))
    # The 200 comments come from one account: no hourly comment limit on this audit server.
    im = Imghost(tmp, extra_env={"IMGHOST_COMMENTS_PER_HOUR": "0"})
    try:
        im.start()
        s = seed(im)
        pages = {
            "/": ("/", ""),
            "image page": (f"/{s['image']}", ""),
            "album page": (f"/a/{s['album']}", ""),
            "/gallery": ("/gallery", ""),
            f"post page, {COMMENTS} comments": (f"/gallery/{s['post']}", ""),
            "/account/images": ("/account/images", f"imghost_session={s['session']}"),
        }
        results: dict[str, Any] = {"scores": {}, "weight": {}}
        for label, (path, cookie) in pages.items():
            scores = lighthouse(im.url + path, tmp / "report.json", cookie)
            results["scores"][label] = scores
            log(f"  {label:16} " + "  ".join(f"{k} {v}" for k, v in scores.items()))
        for label in ("/", "image page"):
            sizes = page_weight(im.url + pages[label][0])
            code = sum(v for k, v in sizes.items() if k in ("document", "stylesheet", "script"))
            results["weight"][label] = {"html_css_js_bytes": code, "by_type": sizes}
            log(f"  first visit to {label}: {code / 1024:.1f} KB of HTML+CSS+JS (target <= {TARGET_KB} KB)")
        low = [
            f"{label} {k} {v}"
            for label, scores in results["scores"].items()
            for k, v in scores.items()
            if v < TARGET_SCORE and not (k == "seo" and label == "/account/images")
        ]
        log("all scores >= 95" if not low else "below 95: " + ", ".join(low))
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        (OUT_DIR / f"lighthouse-{stamp}.json").write_text(json.dumps(results, indent=2))
    finally:
        im.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
