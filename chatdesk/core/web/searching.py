"""The engine `[web] engine` names, with its key from the keyring, and the keys themselves.

An engine's key is kept in the keyring (decision 0008) under `chatdesk-web-<engine>`, bound to
the origin of the address it is sent to: a key entered for Brave's API is never sent anywhere
else, even if an engine's address is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.secrets import KeyLookup, LookupReason, origin_of
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.duckduckgo import DUCKDUCKGO_URL, DuckDuckGo
from chatdesk.core.web.engines import BRAVE_URL, TAVILY_URL, Brave, SearchEngine, SearXNG, Tavily
from chatdesk.core.web.errors import EngineError
from chatdesk.core.web.fetch import Fetcher

KEYED = {"brave": BRAVE_URL, "tavily": TAVILY_URL}  # the engines with a key: their addresses
_LABELS = {"brave": "Brave Search", "tavily": "Tavily"}


class Keys(Protocol):
    """`KeyStore` or `SessionKeys` (chatdesk/core/secrets.py)."""

    def lookup(self, profile_name: str, origin: str) -> KeyLookup: ...

    def set(self, profile_name: str, origin: str, key: str) -> None: ...


def key_name(engine: str) -> str:
    return f"chatdesk-web-{engine}"


def save_key(keys: Keys, engine: str, key: str, address: str | None = None) -> None:
    """Keep `key` for `engine`, bound to its address (`address` overrides the engine's own)."""
    if engine not in KEYED:
        raise InvalidRequest(tr("{engine} needs no key.", engine=engine))
    keys.set(key_name(engine), address or KEYED[engine], key.strip())


@dataclass(frozen=True)
class Addresses:
    """Where each engine is asked: the real services, or servers a test runs."""

    duckduckgo: str = DUCKDUCKGO_URL
    brave: str = BRAVE_URL
    tavily: str = TAVILY_URL


def engine_for(
    settings: WebSettings,
    keys: Keys,
    fetcher: Fetcher,
    *,
    addresses: Addresses | None = None,
) -> SearchEngine:
    """The engine `settings.engine` names, ready to search."""
    addresses = addresses or Addresses()
    if settings.engine == "searxng":
        return SearXNG(fetcher, settings.searxng_url)
    if settings.engine == "brave":
        return Brave(fetcher, _key(keys, "brave", addresses.brave), addresses.brave)
    if settings.engine == "tavily":
        return Tavily(fetcher, _key(keys, "tavily", addresses.tavily), addresses.tavily)
    return DuckDuckGo(fetcher, addresses.duckduckgo)


def _key(keys: Keys, engine: str, address: str) -> str:
    found = keys.lookup(key_name(engine), origin_of(address))
    if found.reason is LookupReason.FOUND and found.key:
        return found.key
    if found.reason is LookupReason.ORIGIN_CHANGED:
        raise EngineError(
            tr(
                "The key for {engine} was entered for another address ({origin}); enter it "
                "again with `chatdesk web key {name}`.",
                engine=_LABELS[engine],
                origin=found.stored_origin,
                name=engine,
            )
        )
    raise EngineError(
        tr(
            "{engine} needs a key: enter it with `chatdesk web key {name}`.",
            engine=_LABELS[engine],
            name=engine,
        )
    )
