"""Fetching an image from a URL for `type=url` uploads, without becoming a proxy into the private network.

Every hop (including each redirect) is resolved once, every address checked, and the connection made to
the checked address, so DNS cannot change its answer between the check and the connect."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from imghost.errors import InvalidRequest, PayloadTooLarge
from imghost.media.writer import UploadWriter


class RemoteFetchError(InvalidRequest):
    pass


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _resolve(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise RemoteFetchError("Could not resolve the image URL's host") from None
    addrs = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addrs:
        raise RemoteFetchError("Could not resolve the image URL's host")
    if not allow_private and not all(_allowed(a) for a in addrs):
        raise RemoteFetchError("The image URL points to a private or reserved address")
    return str(addrs[0])


async def download(url: str, dest: Path, *, max_bytes: int, timeout: float, max_redirects: int,
                   allow_private: bool) -> None:
    """Stream url into dest. Raises InvalidRequest / PayloadTooLarge."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                                 follow_redirects=False, trust_env=False) as client:
        for _ in range(max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise RemoteFetchError("Only http and https image URLs are supported")
            port = parts.port or (443 if parts.scheme == "https" else 80)
            ip = await _resolve(parts.hostname, port, allow_private)
            host_ip = f"[{ip}]" if ":" in ip else ip
            pinned = parts._replace(netloc=f"{host_ip}:{port}").geturl()
            headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": "imghost",
                       "Accept": "image/*,video/*;q=0.9,*/*;q=0.5"}
            try:
                async with client.stream("GET", pinned, headers=headers,
                                         extensions={"sni_hostname": parts.hostname}) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        url = urljoin(url, resp.headers["location"])
                        continue
                    if resp.status_code != 200:
                        raise RemoteFetchError(f"The image URL answered HTTP {resp.status_code}")
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise PayloadTooLarge()
                    return await _save(resp, dest, max_bytes)
            except httpx.HTTPError:
                raise RemoteFetchError("Could not download the image URL") from None
        raise RemoteFetchError("Too many redirects")


async def _save(resp: httpx.Response, dest: Path, max_bytes: int) -> None:
    out = UploadWriter(dest)
    try:
        async for chunk in resp.aiter_bytes(256 * 1024):
            if out.size + len(chunk) > max_bytes:
                raise PayloadTooLarge()
            out.write(chunk)
    finally:
        out.close()
