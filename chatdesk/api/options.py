"""How the local API is served: the address, who may call it and how much, from [api]."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from chatdesk.core.config import ApiSettings
from chatdesk.core.settings_outside import NETWORK_RATE_LIMIT

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"  # only with the user's explicit [api] lan setting
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class ApiOptions:
    host: str
    port: int
    origins: tuple[str, ...]  # web pages that may call it from a browser
    rate_limit: int  # requests per minute per key; 0: none
    max_body_bytes: int
    loopback_counted: bool = True  # False: clients on this computer are never throttled

    @classmethod
    def of(
        cls, api: ApiSettings, *, host: str | None = None, port: int | None = None
    ) -> ApiOptions:
        return cls(
            host=host or (ALL_INTERFACES if api.lan else LOOPBACK),
            port=api.port if port is None else port,
            origins=tuple(api.allowed_origins.split()),
            rate_limit=api.rate_limit or NETWORK_RATE_LIMIT,
            max_body_bytes=int(api.max_body_mb * 1024 * 1024),
            loopback_counted=api.rate_limit != 0,
        )

    @property
    def loopback_only(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1")

    def host_names(self) -> frozenset[str]:
        """The names a request's `Host` may give besides the address it reached: loopback's,
        and on a network this machine's own (a rebinding page's name is none of them)."""
        if self.loopback_only:
            return frozenset(_LOOPBACK_NAMES)
        machine = socket.gethostname().lower()
        return frozenset((*_LOOPBACK_NAMES, machine, f"{machine}.local"))
