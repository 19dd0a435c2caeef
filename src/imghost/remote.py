"""Fetching an image from a URL for `type=url` uploads, without becoming a proxy into the private network.

Every hop (including each redirect) is resolved once, every address checked, and the connection made to
the checked address, so DNS cannot change its answer between the check and the connect. The whole fetch
(every hop, headers and body) runs under one deadline, so a server that drips bytes slowly enough to
never trip the per-read timeout still cannot hold an upload open."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx

from imghost.errors import InvalidRequest, PayloadTooLarge
from imghost.media.writer import UploadWriter

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

INVALID = "The image URL is not valid"
SCHEME = "Only http and https image URLs are supported"
# host[:port] after any userinfo: urlsplit reads past stray brackets ("[::1]]" is ::1 to it).
_HOSTPORT = re.compile(r"(\[[0-9A-Fa-f:.]+(%[^\[\]]+)?\]|[^\[\]:]*)(:[0-9]*)?")


class RemoteFetchError(InvalidRequest):
    pass


# IPv6 forms that carry an IPv4 address inside them. A packet to one of them ends up at that IPv4
# address (through a NAT64 gateway, a 6to4 or Teredo relay, or the kernel itself for mapped addresses),
# so the embedded address must pass the IPv4 rule; Python's is_global does not look inside them.
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT (RFC 2765)
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated IPv4-compatible; holds :: and ::1 too
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052)
_SIXTOFOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")
# Never globally reachable, whatever the Python version's tables say.
_LOCAL_V6 = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): a gateway into this network
    ipaddress.IPv6Network("fec0::/10"),  # deprecated site-local
    ipaddress.IPv6Network("100::/64"),  # discard-only
)


def _embedded_v4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address carries, or None when it is not one of those forms."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    if ip in _MAPPED or ip in _TRANSLATED or ip in _NAT64 or ip in _COMPATIBLE:
        return [low32]
    if ip in _SIXTOFOUR:
        return [ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFF_FFFF)]
    if ip in _TEREDO:
        server = ipaddress.IPv4Address((int(ip) >> 64) & 0xFFFF_FFFF)
        client = ipaddress.IPv4Address(~int(ip) & 0xFFFF_FFFF)  # stored inverted (RFC 4380)
        return [server, client]
    return None


def _public_v4(ip: ipaddress.IPv4Address) -> bool:
    # is_global alone lets multicast through; the rest are spelled out so that no Python version's
    # tables can widen what is allowed.
    return (
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_private
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_unspecified
    )


def allowed(ip: IP) -> bool:
    """Whether a URL upload may connect to ip: only publicly routed unicast addresses, in either family."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _public_v4(ip)
    ip = ipaddress.IPv6Address(int(ip))  # without a scope id, so that network membership is exact
    embedded = _embedded_v4(ip)
    if embedded is not None:
        if not all(_public_v4(v4) for v4 in embedded):
            return False
        # Teredo is relayed, not translated: beyond its embedded addresses it is judged as IPv6.
        return ip.is_global if ip in _TEREDO else True
    if any(ip in net for net in _LOCAL_V6):
        return False
    return (
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_private
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_site_local
        and not ip.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    """One hop's URL, taken apart and checked: what to resolve, what to send as Host and SNI."""

    parts: SplitResult
    host: str  # ASCII: an IP literal or an IDNA-encoded name
    port: int
    host_header: str


def parse(url: str) -> Target:
    """Raises RemoteFetchError for anything that is not a well-formed http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        explicit_port = parts.port
    except ValueError:  # unclosed or invalid [IPv6], a port that is not a number or out of range
        raise RemoteFetchError(INVALID) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise RemoteFetchError(SCHEME)
    if explicit_port == 0 or not _HOSTPORT.fullmatch(parts.netloc.rpartition("@")[2]):
        raise RemoteFetchError(INVALID)
    host = _ascii_host(hostname)
    port = explicit_port or (443 if parts.scheme == "https" else 80)
    bracketed = f"[{host}]" if ":" in host else host
    host_header = f"{bracketed}:{explicit_port}" if explicit_port else bracketed
    return Target(parts=parts, host=host, port=port, host_header=host_header)


def _ascii_host(hostname: str) -> str:
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    if "%" in hostname or any(c.isspace() for c in hostname):
        raise RemoteFetchError(INVALID)
    try:
        host = hostname.encode("idna").decode("ascii")  # checks every label is 1-63 characters
    except UnicodeError:
        raise RemoteFetchError(INVALID) from None
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or any(not 0 < len(label) <= 63 for label in labels):
        raise RemoteFetchError(INVALID)
    return host


async def _resolve(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addrs = [ipaddress.ip_address(info[4][0]) for info in infos]
    except (OSError, ValueError):  # ValueError: UnicodeError from the name's encoding, or an odd answer
        raise RemoteFetchError("Could not resolve the image URL's host") from None
    if not addrs:
        raise RemoteFetchError("Could not resolve the image URL's host")
    if not allow_private and not all(allowed(a) for a in addrs):
        raise RemoteFetchError("The image URL points to a private or reserved address")
    return str(addrs[0])


class CachingResolver:
    """_resolve() with its checked answers kept for `ttl` seconds: an importer asks for one media host
    thousands of times. Only answers that passed the address rules are kept, and connections still go
    to the checked address, so the SSRF rules hold exactly as without it."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._known: dict[tuple[str, int, bool], tuple[float, str]] = {}

    async def __call__(self, host: str, port: int, allow_private: bool) -> str:
        key = (host, port, allow_private)
        now = time.monotonic()
        hit = self._known.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        ip = await _resolve(host, port, allow_private)
        self._known[key] = (now + self.ttl, ip)
        return ip


Resolver = Callable[[str, int, bool], Awaitable[str]]


async def download(
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    timeout: float,
    deadline: float,
    max_redirects: int,
    allow_private: bool,
) -> None:
    """Stream url into dest within `deadline` seconds in all, `timeout` per read.
    Raises RemoteFetchError (400) / PayloadTooLarge."""
    got = await fetch(
        url,
        dest,
        max_bytes=max_bytes,
        timeout=timeout,
        deadline=deadline,
        max_redirects=max_redirects,
        allow_private=allow_private,
    )
    if got.status != 200:
        raise RemoteFetchError(f"The image URL answered HTTP {got.status}")


@dataclass
class Fetched:
    """What a fetch came to: the last answer's status and headers and the URL that gave it. The body was
    saved (to dest, or into `body` when no dest was given) only when the status is 200."""

    status: int
    url: str
    headers: httpx.Headers
    size: int = 0
    body: bytes | None = None
    stopped: bool = False  # the answer was a redirect to a URL that `stop_at` matched: not followed


def client(timeout: float, *, connections: int = 10) -> httpx.AsyncClient:
    """A client for fetch() to reuse across calls (keep-alive), set up as fetch() needs it."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def fetch(
    url: str,
    dest: Path | None,
    *,
    max_bytes: int,
    timeout: float,
    deadline: float,
    max_redirects: int,
    allow_private: bool,
    headers: dict[str, str] | None = None,
    stop_at: Callable[[str], bool] | None = None,
    reuse: httpx.AsyncClient | None = None,
    resolve: Resolver | None = None,
) -> Fetched:
    """download() that hands back any final answer instead of raising for it (a 404, a 429 and its
    Retry-After), can stop at a redirect (`stop_at(url)` true: a placeholder not worth fetching), and can
    reuse a client from client() for the hops on the first URL's host. Same rules: every hop checked,
    size limits while streaming, one deadline. Raises RemoteFetchError / PayloadTooLarge."""
    bound = asyncio.timeout(deadline)
    try:
        async with bound:
            return await _fetch(
                url,
                dest,
                max_bytes=max_bytes,
                timeout=timeout,
                max_redirects=max_redirects,
                allow_private=allow_private,
                extra=headers or {},
                stop_at=stop_at,
                reuse=reuse,
                resolve=resolve or _resolve,
            )
    except TimeoutError:
        if not bound.expired():
            raise
        # A 400 like every other failed fetch: the client's own request was not slow, the remote was.
        raise RemoteFetchError(f"Could not download the image URL within {deadline:g} seconds") from None


async def _fetch(
    url: str,
    dest: Path | None,
    *,
    max_bytes: int,
    timeout: float,
    max_redirects: int,
    allow_private: bool,
    extra: dict[str, str],
    stop_at: Callable[[str], bool] | None,
    reuse: httpx.AsyncClient | None,
    resolve: Resolver,
) -> Fetched:
    first_host = parse(url).host
    own: httpx.AsyncClient | None = None
    try:
        for _ in range(max_redirects + 1):
            target = parse(url)
            ip = await resolve(target.host, target.port, allow_private)
            host_ip = f"[{ip}]" if ":" in ip else ip
            pinned = target.parts._replace(netloc=f"{host_ip}:{target.port}").geturl()
            headers = {
                "User-Agent": "imghost",
                "Accept": "image/*,video/*;q=0.9,*/*;q=0.5",
                **extra,
                "Host": target.host_header,
            }
            # A pooled connection is keyed by address, not name: reuse it only for the host it was made for.
            if reuse is not None and target.host == first_host:
                http = reuse
            else:
                http = own = own or client(timeout)
            try:
                async with http.stream(
                    "GET", pinned, headers=headers, extensions={"sni_hostname": target.host}
                ) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        try:
                            nxt = urljoin(url, resp.headers["location"])
                        except ValueError:
                            raise RemoteFetchError("The image URL redirected to an invalid URL") from None
                        if stop_at is not None and stop_at(nxt):
                            return Fetched(resp.status_code, nxt, resp.headers, stopped=True)
                        url = nxt
                        continue
                    if resp.status_code != 200:
                        return Fetched(resp.status_code, url, resp.headers)
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise PayloadTooLarge()
                    if dest is None:
                        body = await _read(resp, max_bytes)
                        return Fetched(200, url, resp.headers, size=len(body), body=body)
                    await _save(resp, dest, max_bytes)
                    return Fetched(200, url, resp.headers, size=dest.stat().st_size)
            except (httpx.HTTPError, httpx.InvalidURL):
                raise RemoteFetchError("Could not download the image URL") from None
        raise RemoteFetchError("Too many redirects")
    finally:
        if own is not None:
            await own.aclose()


async def _read(resp: httpx.Response, max_bytes: int) -> bytes:
    buf = bytearray()
    async for chunk in resp.aiter_bytes(256 * 1024):
        if len(buf) + len(chunk) > max_bytes:
            raise PayloadTooLarge()
        buf += chunk
    return bytes(buf)


async def _save(resp: httpx.Response, dest: Path, max_bytes: int) -> None:
    out = UploadWriter(dest)
    try:
        async for chunk in resp.aiter_bytes(256 * 1024):
            if out.size + len(chunk) > max_bytes:
                raise PayloadTooLarge()
            out.write(chunk)
    finally:
        out.close()
