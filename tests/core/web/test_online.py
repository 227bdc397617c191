"""Whether the web can be searched now: the engine's name looked up, bounded, nothing connected."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.addresses import IPAddress, system_resolver
from chatdesk.core.web.online import engine_reachable
from tests.core.web.lookups import Lookups

pytestmark = pytest.mark.asyncio


def web(**changes: str) -> WebSettings:
    return dataclasses.replace(WebSettings(), **changes)


@pytest.mark.parametrize(
    ("engine", "host"),
    [
        ("duckduckgo", "html.duckduckgo.com"),
        ("brave", "api.search.brave.com"),
        ("tavily", "api.tavily.com"),
    ],
)
async def test_each_engine_is_looked_up_by_its_own_name(engine: str, host: str) -> None:
    online = Lookups(host)
    assert await engine_reachable(web(engine=engine), online) is None
    assert online.asked == [host]
    offline = Lookups()
    said = await engine_reachable(web(engine=engine), offline)
    assert said == "No network: the web can't be searched now."


async def test_searxng_is_looked_up_at_its_address_and_said_when_missing_or_unknown() -> None:
    lookups = Lookups("search.home.example")
    home = web(engine="searxng", searxng_url="http://search.home.example:8888/")
    assert await engine_reachable(home, lookups) is None
    assert lookups.asked == ["search.home.example"]
    gone = web(engine="searxng", searxng_url="http://searx.lan:8888")
    assert await engine_reachable(gone, lookups) == (
        "SearXNG at searx.lan cannot be found: the web can't be searched now."
    )
    none = web(engine="searxng", searxng_url="")
    assert await engine_reachable(none, lookups) == (
        "SearXNG has no address: set it in Preferences ▸ Web."
    )


async def test_an_address_needs_no_look_up_and_localhost_resolves_on_this_computer() -> None:
    lookups = Lookups()
    by_address = web(engine="searxng", searxng_url="http://127.0.0.1:8888")
    assert await engine_reachable(by_address, lookups) is None
    assert lookups.asked == []
    local = web(engine="searxng", searxng_url="http://localhost:8888")
    assert await engine_reachable(local, system_resolver) is None


async def test_a_look_up_that_does_not_answer_is_given_up_at_the_bound() -> None:
    never = asyncio.Event()

    async def hanging(host: str, port: int) -> list[IPAddress]:
        await never.wait()
        return []

    said = await engine_reachable(web(), hanging, bound=0.05)
    assert said == "No network: the web can't be searched now."
