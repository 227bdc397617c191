"""Which addresses a web request may reach: the public internet, and the servers on this machine
or the local network the user listed in `[web] allow_private` (decision 0046).

The check is made on the addresses a name resolved to, not on the name: a public-looking name
may resolve to 127.0.0.1. `chatdesk/core/web/fetch.py` then connects to the address checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chatdesk.core.i18n import mark

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) → the addresses a connection to it may go to, in the order to try them.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, VPN meshes (Tailscale)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address reached through a NAT64
_COMPATIBLE = ipaddress.ip_network("::/96")  # the old IPv4-compatible IPv6 addresses
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated, still private where used


def refusal(address: IPAddress) -> str | None:
    """Why `address` is not on the public internet (a `mark()`ed phrase), or None if it is.

    An IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4, Teredo, compatible) is
    judged by that one too: `::ffff:127.0.0.1` is this computer.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded(address)
        if inner is not None and (reason := _own_refusal(inner)) is not None:
            return reason
        if address in _NAT64:  # a NAT64 reaches its IPv4 address, which is public
            return None
    return _own_refusal(address)


def _own_refusal(address: IPAddress) -> str | None:
    if address.is_loopback:
        return mark("this computer (a loopback address)")
    if address.is_unspecified:
        return mark("an unspecified address")
    if address.is_link_local:
        return mark("a link-local address")
    if address.is_multicast:
        return mark("a multicast address")
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return mark("a carrier-grade NAT or VPN address")
    if isinstance(address, ipaddress.IPv6Address) and address in _SITE_LOCAL:
        return mark("a private network address")
    if address.is_private:
        return mark("a private network address")
    if address.is_reserved or not address.is_global:
        return mark("a reserved or special-purpose address")
    return None


def _embedded(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or (address in _COMPATIBLE and int(address) > 0xFFFF):  # not ::1
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def parse_address(host: str) -> IPAddress | None:
    """`host` as an IP address (brackets and an IPv6 zone dropped), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def host_port(host: str, port: int) -> str:
    """How `allow_private` writes a server: `host:port`, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class AllowList:
    """The servers of `[web] allow_private`: exact `host:port` pairs, a name or an address.

    A name is allowed when the address asked for is that name; an address, when the name
    resolved to it. Both need the port too, so allowing a home SearXNG does not open the rest
    of that machine.
    """

    names: frozenset[tuple[str, int]] = frozenset()
    addresses: frozenset[tuple[IPAddress, int]] = frozenset()

    @classmethod
    def parse(cls, setting: str) -> AllowList:
        names: set[tuple[str, int]] = set()
        addresses: set[tuple[IPAddress, int]] = set()
        for entry in setting.split():
            parsed = _entry(entry)
            if parsed is None:
                log.warning("[web] allow_private: %r is not host:port; it is left out", entry)
                continue
            host, port = parsed
            address = parse_address(host)
            if address is None:
                names.add((host, port))
            else:
                addresses.add((address, port))
        return cls(frozenset(names), frozenset(addresses))

    def allows(self, host: str, address: IPAddress, port: int) -> bool:
        return (_canonical(host), port) in self.names or (address, port) in self.addresses


def _entry(entry: str) -> tuple[str, int] | None:
    host, colon, port = entry.rpartition(":")
    if not colon or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    if host.startswith("["):
        if not host.endswith("]") or parse_address(host) is None:
            return None
    elif ":" in host or not host:
        return None
    return _canonical(host), int(port)


def _canonical(host: str) -> str:
    """A host as compared: lower case, no trailing dot, punycode, an address in its short form."""
    host = host.strip("[]").lower().rstrip(".")
    address = parse_address(host)
    if address is not None:
        return str(address)
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The system's answer for `host`, off the event loop, each address once, in its order.
    Raises `OSError` (`socket.gaierror`) when the name does not resolve."""
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = parse_address(str(sockaddr[0]))
        if address is not None and address not in addresses:
            addresses.append(address)
    return addresses
