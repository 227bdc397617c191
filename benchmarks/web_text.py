"""Page to text: a fetched web page's bytes to the text a model reads, chatdesk's way.

chatdesk's path is `PageTexts.page_text` (chatdesk/core/web/text.py): the bytes go to the
reading child, which sniffs and decodes them, leaves out scripts and styles, runs trafilatura
and cuts the text to the budget; the text comes back over the child's pipe. Baseline, same
run: trafilatura's `bare_extraction` with the same options on the same HTML in this process
(what a client that extracted inline, on its own thread, would spend). Pages of 100, 200 and
300 KB shaped like a news site's article (quick: 100 KB only): inline scripts and JSON-LD, a
style sheet, a menu, a cookie banner, related links, a footer, and an article of 8 to 24 KB of
text; and 100 KB of article text with no scripts, where chatdesk has nothing to leave out
before extracting (the child's round trip alone). The median of 15 reads (quick: 3), each
beside a bare one with the child started and its libraries loaded; the
first page (the child's start and trafilatura's import, paid once) and a 5 MB page of text
are shown beside, for information.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from benchmarks.common import INFO, Target, ratio_target, report
from chatdesk.core.attach.worker import Reader
from chatdesk.core.web.text import PageTexts

TARGET = ratio_target(1.3, "bare trafilatura")
# A page of text only: nothing for chatdesk to leave out before extracting, so the line shows
# what the child's round trip costs; the pages with scripts are the budget.
BARE_TEXT = ratio_target(1.3, "bare trafilatura", guarded=False)
BARE = "bare trafilatura"
BUDGET = 20_000  # the [web] page_chars default


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(quick))


async def _measure(quick: bool) -> None:
    reader = Reader()
    texts = PageTexts(reader, bound=120.0)
    try:
        first = await _timed(texts, _page(100_000))
        print(f"      (first page, the child started and trafilatura loaded: {first:.0f} ms)")
        runs = 3 if quick else 15
        for size in (100_000,) if quick else (100_000, 200_000, 300_000):
            await _compare(texts, f"page of {size // 1000} KB to text", _page(size), runs, TARGET)
        plain = _page(100_000, scripts=False)
        await _compare(texts, "100 KB of text, no scripts, to text", plain, runs, BARE_TEXT)
        if not quick:
            huge = _page(5_000_000, scripts=False)
            report("page of 5 MB of text to text", await _timed(texts, huge), None, "ms", INFO)
    finally:
        reader.close()


async def _compare(texts: PageTexts, name: str, page: bytes, runs: int, target: Target) -> None:
    chat: list[float] = []
    bare: list[float] = []
    for _ in range(runs):  # alternate, so both see the same machine
        chat.append(await _timed(texts, page))
        bare.append(_bare(page))
    report(name, statistics.median(chat), statistics.median(bare), "ms", target, bare=BARE)


async def _timed(texts: PageTexts, page: bytes) -> float:
    start = time.perf_counter()
    found = await texts.page_text(
        page, content_type="text/html", charset="utf-8", url=_URL, budget_chars=BUDGET
    )
    assert "footbridge" in found.text
    return (time.perf_counter() - start) * 1000


def _bare(page: bytes) -> float:
    import trafilatura

    start = time.perf_counter()
    found = trafilatura.bare_extraction(
        page.decode("utf-8"),
        url=_URL,
        fast=True,
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_images=False,
        include_tables=True,
    )
    assert found is not None
    assert not isinstance(found, dict)
    assert "footbridge" in (found.text or "")
    return (time.perf_counter() - start) * 1000


_URL = "https://news.example/2024/03/05/footbridge"
_SENTENCE = (
    "The council voted on Tuesday to build a footbridge over the river by 2027, and the "
    "neighbours who spoke at the meeting in the town hall asked about the costs, the noise and "
    "the timetable. "
)


def _page(size: int, *, scripts: bool = True) -> bytes:
    """About `size` bytes of a news site's article page: a tenth of it the article's text (at
    most 24 KB), scripts most of the rest, as such pages are."""
    text_bytes = min(24_000, max(8_000, size // 10)) if scripts else size
    paragraphs = "".join(
        f"<p>{_SENTENCE * 3}(paragraph {n})</p>\n" for n in range(text_bytes // 600 + 1)
    )
    menu = "".join(f"<li><a href='/section/{n}'>Section {n}</a></li>" for n in range(40))
    related = "".join(
        f"<li><a href='/story/{n}'>Another story, number {n}</a></li>" for n in range(30)
    )
    head = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Footbridge approved | The Courier</title>"
        "<meta property='og:site_name' content='The Courier'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Footbridge approved", "datePublished": "2024-03-05", "author": {"name": "A. Weber"}}'
        "</script><style>" + "body{margin:0}.x{color:inherit}" * 200 + "</style>"
    )
    body = (
        f"</head><body><div class='cookies'>We use cookies.</div><nav><ul>{menu}</ul></nav>"
        f"<main><article><h1>Footbridge approved</h1>{paragraphs}</article>"
        f"<aside><h2>Related</h2><ul>{related}</ul></aside></main>"
        "<footer><p>Copyright The Courier</p></footer>"
    )
    filler = size - len(head) - len(body) - 20
    script = "var tracking = {'id': 1, 'items': [1, 2, 3]}; function f(a) { return a * 2; }\n"
    scripts_html = f"<script>{script * max(0, filler // len(script))}</script>" if scripts else ""
    return (head + body + scripts_html + "</body></html>").encode()
