"""Pluggable captcha check for registration. Off unless configured.

reCAPTCHA, hCaptcha and Cloudflare Turnstile share one protocol: POST secret, response and remoteip to a
verify URL, read {"success": bool}. Other providers implement CaptchaVerifier."""

from __future__ import annotations

from typing import Protocol

import httpx

PROVIDERS = {
    "recaptcha": "https://www.google.com/recaptcha/api/siteverify",
    "hcaptcha": "https://api.hcaptcha.com/siteverify",
    "turnstile": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
}


class CaptchaVerifier(Protocol):
    async def verify(self, response: str, remote_ip: str | None) -> bool: ...


class SiteVerify:
    def __init__(self, verify_url: str, secret: str) -> None:
        self.verify_url = verify_url
        self.secret = secret

    async def verify(self, response: str, remote_ip: str | None) -> bool:
        if not response:
            return False
        data = {"secret": self.secret, "response": response}
        if remote_ip:
            data["remoteip"] = remote_ip
        try:
            async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
                r = await client.post(self.verify_url, data=data)
                return r.status_code == 200 and r.json().get("success") is True
        except (httpx.HTTPError, ValueError):
            return False


def build(provider: str, secret: str, verify_url: str) -> CaptchaVerifier | None:
    if not provider or provider == "none":
        return None
    url = verify_url or PROVIDERS.get(provider, "")
    if not url:
        raise ValueError(f"unknown captcha provider {provider!r}: set IMGHOST_CAPTCHA_VERIFY_URL")
    return SiteVerify(url, secret)
