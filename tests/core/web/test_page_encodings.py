"""A page's encoding decided as a browser decides it, end to end: each page served in its
encoding by a real server on 127.0.0.1, fetched through the guard and decoded in the reading
child (chatdesk/core/attach/encodings.py). A label is read by the WHATWG table ("latin1" is
windows-1252, "x-gbk" is GBK), the headers' charset, then a <meta>'s, and a page that declares
nothing is UTF-8 when its bytes are, else the default of the user's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatdesk.core.attach.worker import Reader
from chatdesk.core.clock import SystemClock
from chatdesk.core.web.fetch import Fetcher
from chatdesk.core.web.reading import PageReader
from chatdesk.core.web.text import PageTexts
from tests.core.web.conftest import web_settings
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

FRENCH = "Le café crème est prêt, à côté de l’église où l’on sert une crêpe."
QUOTES = "“Quoted” — a crème brûlée at 5 € • naïve"
JAPANESE = "① 東京都は新しい橋の建設を火曜日に決定しました。"  # ①: Windows' Shift_JIS only
CHINESE = "朱镕基说，市议会周二决定在河上建一座新桥。"  # 镕: in GBK, not in GB2312
WORLD = "Zürich, 東京, Ελληνικά, русский"
META = '<meta charset="utf-8">'


@pytest.fixture(scope="module")
def reader() -> Iterator[Reader]:
    made = Reader()
    yield made
    made.close()


def _pages(web: FakeWeb, reader: Reader) -> PageReader:
    settings = web_settings(web)
    return PageReader(settings, Fetcher(settings), PageTexts(reader), SystemClock())


def page(words: str, codec: str, meta: str = "") -> bytes:
    """The article with `words` in it, `meta` in the place of its UTF-8 <meta>, in `codec`."""
    return article(extra=f"<p>{words}</p>").replace(META, meta).encode(codec)


@pytest.mark.parametrize(
    ("words", "body", "content_type"),
    [
        pytest.param(
            QUOTES, page(QUOTES, "cp1252", '<meta charset="iso88591">'), "text/html", id="meta"
        ),
        pytest.param(QUOTES, page(QUOTES, "cp1252"), "text/html; charset=x-cp1252", id="http"),
        pytest.param(
            JAPANESE,
            page(
                JAPANESE,
                "cp932",
                '<meta http-equiv="content-type" content="text/html; charset=x-sjis">',
            ),
            "text/html",
            id="shift_jis-meta",
        ),
        pytest.param(
            JAPANESE, page(JAPANESE, "cp932"), "text/html; charset=windows-31j", id="sjis-http"
        ),
        pytest.param(
            CHINESE, page(CHINESE, "gbk", '<meta charset="csgb2312">'), "text/html", id="gbk-meta"
        ),
        pytest.param(CHINESE, page(CHINESE, "gbk"), "text/html; charset=x-gbk", id="gbk-http"),
        pytest.param(WORLD, page(WORLD, "utf-8"), "text/html", id="undeclared-utf-8"),
    ],
)
async def test_a_declared_or_utf_8_page_reads_in_its_own_script(
    web: FakeWeb, reader: Reader, words: str, body: bytes, content_type: str
) -> None:
    url = web.route("/page", body=body, headers={"Content-Type": content_type})
    read = await _pages(web, reader).read(url)

    assert words in read.page.text
    assert read.page.note == ""


async def test_a_latin_1_page_that_declares_nothing_reads_as_windows_1252(
    web: FakeWeb, reader: Reader
) -> None:
    url = web.route("/menu", body=page(FRENCH, "cp1252"), headers={"Content-Type": "text/html"})
    read = await _pages(web, reader).read(url)

    assert FRENCH in read.page.text
    assert read.page.note == "decoded as windows-1252 (a guess)"
