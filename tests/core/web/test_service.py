"""The web's one service (chatdesk/core/web/service.py), which a chat's web tools and
`chatdesk web` both call: `[web]` read at each call, an engine or a length asked for instead of
the settings' own, against servers on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chatdesk.core.attach.worker import Reader
from chatdesk.core.secrets import SessionKeys
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.errors import EngineError
from chatdesk.core.web.service import Web
from tests.core.web.conftest import web_settings
from tests.core.web.pages import ARTICLE_SENTENCE, article
from tests.core.web.web_server import FakeWeb, searxng_answer

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes
READ_AT = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


class Fixed:
    def now(self) -> datetime:
        return READ_AT


@pytest.fixture
def reader() -> Iterator[Reader]:
    made = Reader()
    yield made
    made.close()


async def test_each_search_uses_the_settings_as_they_are_then(web: FakeWeb, reader: Reader) -> None:
    hits = [(f"Story {n}", f"https://example.org/{n}", "") for n in (1, 2, 3)]
    web.json("/search", searxng_answer(hits))
    settings = web_settings(web, engine="searxng", searxng_url=web.origin, results=2)
    current = [settings]
    service = Web(lambda: current[0], SessionKeys(), reader, Fixed())

    searched = await service.search("story")
    assert (searched.engine, [r.rank for r in searched.results]) == ("searxng", [1, 2])
    assert len((await service.search("story", 3)).results) == 3

    current[0] = dataclasses.replace(settings, results=1)  # Preferences ▸ Web changed it
    assert [r.title for r in (await service.search("story")).results] == ["Story 1"]
    with pytest.raises(EngineError, match="Brave Search needs a key"):
        await service.search("story", engine="brave")  # asked for instead of the settings'


async def test_a_page_is_read_to_the_settings_length_or_the_one_asked(
    web: FakeWeb, reader: Reader
) -> None:
    url = web.page("/news/footbridge", article())
    settings: WebSettings = web_settings(web)
    service = Web(lambda: settings, SessionKeys(), reader, Fixed())

    read = await service.read(url)
    assert (read.asked, read.page.url, read.read_at) == (url, url, READ_AT)
    assert ARTICLE_SENTENCE in read.page.text
    short = await service.read(url, chars=300)
    assert len(short.page.text) < len(read.page.text)
