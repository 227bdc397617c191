"""A page read for a model end to end (chatdesk/core/web/reading.py): fetched through the
guard from a server on 127.0.0.1, its text made in the reading child, and what a citation
needs kept beside it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chatdesk.core.attach.worker import Reader
from chatdesk.core.web.errors import AddressRefused
from chatdesk.core.web.fetch import Fetcher
from chatdesk.core.web.reading import PageReader
from chatdesk.core.web.text import PageTexts, PageUnreadable
from tests.core.web.conftest import web_settings
from tests.core.web.pages import ARTICLE_SENTENCE, article
from tests.core.web.web_server import FakeWeb

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes
READ_AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
MB = 1024 * 1024


class Fixed:
    def now(self) -> datetime:
        return READ_AT


@pytest.fixture(scope="module")
def reader() -> Iterator[Reader]:
    made = Reader()
    yield made
    made.close()


def _pages(reader: Reader, *servers: FakeWeb, **changes: object) -> PageReader:
    settings = web_settings(*servers, **changes)
    return PageReader(settings, Fetcher(settings), PageTexts(reader), Fixed())


async def test_a_page_is_read_where_it_ended_with_its_title_site_and_when(
    web: FakeWeb, reader: Reader
) -> None:
    final = web.page("/news/footbridge", article())
    asked = web.redirect("/s/abc", final)  # a short link, as search results give

    read = await _pages(reader, web).read(asked)

    assert (read.asked, read.page.url, read.read_at) == (asked, final, READ_AT)
    assert read.page.title.startswith("Footbridge approved")
    assert read.page.site == "Lenne Courier"
    assert ARTICLE_SENTENCE in read.page.text
    assert "Buy cheap watches" not in read.page.text
    assert not read.body_cut


async def test_a_page_past_the_size_limit_is_read_from_its_beginning_and_says_so(
    web: FakeWeb, reader: Reader
) -> None:
    url = web.route("/endless", size=50 * MB, headers={"Content-Type": "text/plain"})

    read = await _pages(reader, web, page_max_mb=1.0).read(url, chars=2_000)

    assert read.body_cut
    assert "only the page's first 1 MB were read" in read.page.note
    assert read.page.cut
    assert len(read.page.text) <= 2_100  # the budget, and the line saying so
    assert web.sent["/endless"] < 20 * MB


async def test_a_server_on_this_machine_is_not_read_unless_allowed(
    web: FakeWeb, reader: Reader
) -> None:
    url = web.page("/admin", "<html><body><p>router settings</p></body></html>")
    with pytest.raises(AddressRefused):
        await _pages(reader).read(url)
    assert web.seen == []  # not a byte was asked of it


async def test_an_image_posing_as_a_page_is_refused_with_the_address(
    web: FakeWeb, reader: Reader
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(2_000)
    url = web.route("/photo", body=png, headers={"Content-Type": "text/html"})
    with pytest.raises(PageUnreadable, match="/photo could not be read"):
        await _pages(reader, web).read(url)
