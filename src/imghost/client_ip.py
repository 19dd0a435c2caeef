"""Who is asking: the client address and scheme of a request, as the proxies in front of us report them.

Behind a load balancer the socket peer is the balancer, and the client is named in `X-Forwarded-For`.
Each proxy appends the address it received the request from, so only the entries on the right, added
by proxies we trust, are facts; anything further left may have been written by the client itself. The
walk therefore starts at the socket peer and goes leftwards while the hop is a trusted proxy: the first
address that is not one of ours is the client. The header is read only when the socket peer itself is
a trusted proxy, and an entry that is not an address stops the walk at the last hop we could vouch for.

Every per-address rule (API rate limits, sign-in throttling, registration) asks this one object."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_XFF = b"x-forwarded-for"
_XFP = b"x-forwarded-proto"


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it: bare, `[v6]`, `[v6]:port` or `v4:port`; None when it is not one.
    IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) becomes the IPv4 address."""
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or (end + 1 < len(text) and not _is_port(text[end + 1 :])):
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        text, _, port = text.partition(":")
        if not port.isdigit():
            return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_port(tail: str) -> bool:
    return tail.startswith(":") and tail[1:].isdigit()


def parse_networks(spec: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    """`127.0.0.1,::1,10.0.0.0/8` (or a list of such items) as networks; a bad item is a startup error."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    nets = []
    for item in (i.strip() for i in items):
        if item:
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"IMGHOST_TRUSTED_PROXIES: {item!r} is not an address or CIDR") from exc
    return tuple(nets)


class ClientAddresses:
    """Resolves the client address of an ASGI scope. Built once from settings."""

    def __init__(self, *, trust_forwarded: bool, trusted_proxies: str | Iterable[str]) -> None:
        self.trust_forwarded = trust_forwarded
        self.networks = parse_networks(trusted_proxies)
        # Peers repeat (the balancer's few addresses): remember which are ours.
        self._trusted: dict[str, bool] = {}

    def is_trusted(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.networks)

    def _peer_trusted(self, peer: str) -> bool:
        known = self._trusted.get(peer)
        if known is None:
            ip = parse_address(peer)
            known = ip is not None and self.is_trusted(ip)
            if len(self._trusted) > 4096:
                self._trusted.clear()
            self._trusted[peer] = known
        return known

    def resolve(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
        """The client address given the socket peer and the X-Forwarded-For header values in order."""
        if peer is None:
            return "-"
        if not self.trust_forwarded or not self._peer_trusted(peer):
            return peer
        entries = [e for value in forwarded_for for e in value.split(",")]
        current = _canonical(peer)
        for entry in reversed(entries):
            ip = parse_address(entry)
            if ip is None:
                return current  # unparseable: the last hop we could vouch for is the best we know
            current = str(ip)
            if not self.is_trusted(ip):
                return current
        return current  # every hop is ours (a request from inside): the leftmost one

    def of(self, scope: Mapping[str, Any]) -> str:
        """The client address of an ASGI request."""
        client = scope.get("client")
        peer = client[0] if client else None
        if not self.trust_forwarded or peer is None:
            return "-" if peer is None else peer
        return self.resolve(peer, [v.decode("latin-1") for k, v in scope["headers"] if k == _XFF])

    def is_https(self, scope: Mapping[str, Any]) -> bool:
        """Whether the client's request came over HTTPS: the server's own scheme, or the scheme a trusted
        proxy in front of it reports (`X-Forwarded-Proto`, the leftmost value: the one the client used)."""
        if scope.get("scheme") == "https":
            return True
        client = scope.get("client")
        if not (self.trust_forwarded and client and self._peer_trusted(client[0])):
            return False
        headers: Iterable[tuple[bytes, bytes]] = scope["headers"]
        for k, v in headers:
            if k == _XFP:
                return v.split(b",")[0].strip().lower() == b"https"
        return False


def _canonical(peer: str) -> str:
    ip = parse_address(peer)
    return peer if ip is None else str(ip)


def throttle_key(address: str) -> str:
    """The unit a per-address throttle counts: the address, or for IPv6 its /64, since one subscriber
    usually holds a whole /64 and could otherwise take a fresh address for every attempt."""
    ip = parse_address(address)
    if ip is None or ip.version == 4:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))
