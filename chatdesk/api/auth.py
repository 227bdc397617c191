"""Who may call the API: the key, in constant time, and how often (per key, per minute).

A local API's clients are the user's own programs: an agent, an editor's completion, a test
suite make hundreds of requests a minute, and the servers they know (Ollama, LM Studio, Jan)
never throttle this computer. So unless the user set a rate, only clients on other computers
are counted (`ApiOptions.loopback_counted`).

A request presents the key as `Authorization: Bearer …` (the OpenAI SDKs), `x-api-key`, or as
a Basic password (a browser's own prompt, for `/docs`); never in the URL, which reaches logs.
A WebSocket presents it in its upgrade's headers the same way, or, from a browser, which cannot
set them, as its first frame (`chatdesk.api.sockets`). No key: 401; a wrong one: 403.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi import HTTPException, Request, WebSocket

KeySource = Callable[[], str | None]  # the key in use now: rotating it takes effect at once


class Refused(Exception):
    """A request without the right key, or over its rate; `status` says which."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def presented_key(headers: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return headers.get("x-api-key") or None


def check_key(presented: str | None, expected: str | None) -> None:
    if not presented:
        raise Refused(401, "This API needs its key: send it as 'Authorization: Bearer <key>'.")
    if expected is None or not secrets.compare_digest(
        presented.encode("utf-8"), expected.encode("utf-8")
    ):
        raise Refused(403, "The key is not this API's key.")


@dataclass
class RateLimit:
    """At most `per_minute` requests per key in any minute (a token bucket refilled evenly)."""

    per_minute: int  # 0: no limit
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> None:
        if self.per_minute <= 0:
            return
        now = self.clock()
        tokens, then = self._buckets.get(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - then) * self.per_minute / 60.0)
        if tokens < 1.0:
            wait = math.ceil((1.0 - tokens) * 60.0 / self.per_minute)
            self._buckets[key] = (tokens, now)
            raise Refused(429, "Too many requests for this key; try again shortly.", wait)
        self._buckets[key] = (tokens - 1.0, now)


@dataclass
class Gate:
    """The key in use and the rate limit, which each route's dependency and each socket ask;
    `peer` is the client's address as the connection gives it (None: unknown)."""

    key: KeySource
    limit: RateLimit
    loopback_counted: bool = True

    def admit(self, presented: str | None, peer: str | None) -> str:
        expected = self.key()
        check_key(presented, expected)
        assert presented is not None
        self.count(presented, peer)
        return presented

    def count(self, key: str, peer: str | None) -> None:
        """One request or frame of `key`'s: 429 (`Refused`) over the rate."""
        if self.loopback_counted or not is_loopback(peer):
            self.limit.take(key)


def is_loopback(peer: str | None) -> bool:
    """Whether the client is on this computer (an IPv4 address mapped into IPv6 included); an
    unknown or unreadable address is not."""
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def peer_of(connection: Request | WebSocket) -> str | None:
    return None if connection.client is None else connection.client.host


def gate_of(connection: Request | WebSocket) -> Gate:
    gate: Gate = connection.app.state.gate
    return gate


async def require_key(request: Request) -> str:
    """The dependency every route has: 401/403 without the right key, 429 over the rate."""
    try:
        return gate_of(request).admit(presented_key(request.headers), peer_of(request))
    except Refused as refusal:
        headers = refused_headers(refusal)
        raise HTTPException(refusal.status, str(refusal), headers=headers) from None


def refused_headers(refusal: Refused) -> dict[str, str] | None:
    """A refusal's headers: how to give the key (401), when to try again (429)."""
    headers = {"WWW-Authenticate": 'Basic realm="chatdesk"'} if refusal.status == 401 else {}
    if refusal.retry_after is not None:
        headers["Retry-After"] = str(refusal.retry_after)
    return headers or None
