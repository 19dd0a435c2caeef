"""Browser tests: Playwright driving Debian's Chromium against a real `imghost serve` (the suite's server,
on whatever backend the suite runs on). Each test gets a fresh browser context (its own cookies and
storage); `shot()` keeps a screenshot of every page a test looks at in test-artifacts/screenshots."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright_api

from tests.live import LiveServer

CHROMIUM = os.environ.get("IMGHOST_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (scripts/install.sh --test installs it)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def new_context(browser: Any, server: LiveServer, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(base_url=server.url, **options)
    ctx.set_default_timeout(15_000)
    return ctx


@pytest.fixture
def context(browser: Any, server: LiveServer) -> Iterator[Any]:
    ctx = new_context(browser, server)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def shot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact (the CI run's record of what every page looked like)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


_counter = [0]


def unique_username(prefix: str = "web") -> str:
    """4–63 letters and digits, unique in this run and across runs on one database."""
    _counter[0] += 1
    return f"{prefix}{os.getpid()}{_counter[0]}{os.urandom(3).hex()}"


PASSWORD = "correct horse 42"


def sign_up(page: Any, username: str | None = None, password: str = PASSWORD) -> str:
    """Create an account through the sign-up page (which signs the new person in); returns the username."""
    name = username or unique_username()
    page.goto("/signup")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.test")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lambda url: "/signup" not in url)
    return name


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/signin" not in url)


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core finding on the page as it is now."""
    found = serious_violations(page)
    assert not found, describe(found)


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n.get('target') for n in v['nodes'][:3]]}"
        for v in violations
    )


def image_loaded(img: Any) -> bool:
    """Whether an <img> shows a picture: waits for it to finish loading (a thumbnail is made on its
    first request) instead of looking at once."""
    img.scroll_into_view_if_needed()
    return bool(
        img.evaluate(
            "img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
            " img.addEventListener('load', () => done(img.naturalWidth > 0));"
            " img.addEventListener('error', () => done(false)); })"
        )
    )
