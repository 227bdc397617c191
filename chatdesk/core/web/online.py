"""Whether the web can be searched now, asked before a message goes out with Web on: the name of
the engine's server is looked up, bounded, and nothing is connected to. A computer with no
network fails the look-up at once (or within the bound), so the window can say so before the
message is sent rather than after a search timed out."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from chatdesk.core.i18n import tr
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.addresses import Resolver, parse_address, system_resolver
from chatdesk.core.web.duckduckgo import DUCKDUCKGO_URL
from chatdesk.core.web.engines import BRAVE_URL, TAVILY_URL

BOUND_SECONDS = 1.5  # a name the system can look up is answered well within this
_ADDRESSES = {"duckduckgo": DUCKDUCKGO_URL, "brave": BRAVE_URL, "tavily": TAVILY_URL}


def engine_address(settings: WebSettings) -> str:
    """The address the engine of `settings` is asked at ("" for SearXNG without one)."""
    if settings.engine == "searxng":
        return settings.searxng_url.strip()
    return _ADDRESSES.get(settings.engine, DUCKDUCKGO_URL)


async def engine_reachable(
    settings: WebSettings,
    resolver: Resolver = system_resolver,
    *,
    bound: float = BOUND_SECONDS,
) -> str | None:
    """None when the engine's server name resolves (or is an address); otherwise what the user
    is told: no network, or a SearXNG address that is missing or not found."""
    address = engine_address(settings)
    host = urlsplit(address).hostname if "//" in address else None
    if not host:
        if settings.engine == "searxng":
            return tr("SearXNG has no address: set it in Preferences ▸ Web.")
        return None
    if parse_address(host) is not None:
        return None  # nothing to look up
    try:
        async with asyncio.timeout(bound):
            found = await resolver(host, 443)
    except (OSError, TimeoutError, UnicodeError):
        found = []
    if found:
        return None
    if settings.engine == "searxng":
        return tr("SearXNG at {host} cannot be found: the web can't be searched now.", host=host)
    return tr("No network: the web can't be searched now.")
