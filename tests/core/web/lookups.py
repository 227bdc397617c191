"""Name look-ups as a test wants them, for what checks whether the web can be searched
(`chatdesk/core/web/online.py`): no name is asked of the real network."""

from __future__ import annotations

import ipaddress
import socket

from chatdesk.core.web.addresses import IPAddress


class Lookups:
    """A resolver that knows `known` names and fails the rest, as a computer with no network
    does (every name unknown); it writes down each name it was asked."""

    def __init__(self, *known: str) -> None:
        self.known = set(known)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        if host not in self.known:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address("93.184.215.14")]
