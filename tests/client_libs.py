"""The real client libraries, signed in as a test account and pointed at a server under test (the way
the README tells their users to point them: by base URL only)."""

from __future__ import annotations

import imgurpython.client
import pyimgur
import pytest
from imgurpython import ImgurClient

from tests.accounts.helpers import User
from tests.live import LiveServer


def imgurpython_as(
    server: LiveServer, creds: tuple[str, str], who: User, monkeypatch: pytest.MonkeyPatch
) -> ImgurClient:
    monkeypatch.setattr(imgurpython.client, "API_URL", server.url + "/")
    client = ImgurClient(*creds)
    client.set_user_auth(who.access_token, who.refresh_token)
    return client


def pyimgur_as(
    server: LiveServer, creds: tuple[str, str], who: User, monkeypatch: pytest.MonkeyPatch
) -> pyimgur.Imgur:
    monkeypatch.setattr(pyimgur, "IMGUR_BASE", server.url)
    return pyimgur.Imgur(creds[0], creds[1], access_token=who.access_token, refresh_token=who.refresh_token)
