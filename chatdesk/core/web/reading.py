"""A page from the web as a model reads it: fetched through the guard (fetch.py), its text made
in the reading child (text.py) and cut to `[web] page_chars`, with what a citation of it needs:
the address it ended at, its title and site, and when it was read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chatdesk.core.clock import Clock
from chatdesk.core.i18n import number, tr
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.fetch import Fetcher
from chatdesk.core.web.text import PageText, PageTexts


@dataclass(frozen=True)
class ReadPage:
    """One page read: `page.url` is where it ended after redirects; `asked`, the address
    asked for; `body_cut`, whether the page was longer than `[web] page_max_mb` (its text is
    then from its beginning, and `page.note` says so)."""

    asked: str
    page: PageText
    read_at: datetime
    body_cut: bool


class PageReader:
    """`await reader.read(url)`: the page at `url` as text for a model; a `WebError` (refused
    address, timeout, error status, too big …) or `PageUnreadable` saying why not."""

    def __init__(self, settings: WebSettings, fetcher: Fetcher, texts: PageTexts, clock: Clock):
        self._chars = settings.page_chars
        self._max_mb = settings.page_max_mb
        self._fetcher = fetcher
        self._texts = texts
        self._clock = clock

    async def read(self, url: str, *, chars: int | None = None) -> ReadPage:
        """`chars`: the most text to give (default `[web] page_chars`)."""
        fetched = await self._fetcher.get(url)
        page = await self._texts.page_text(
            fetched.body,
            content_type=fetched.content_type,
            charset=fetched.charset,
            url=fetched.url,
            budget_chars=chars or self._chars,
        )
        if fetched.cut:
            places = 0 if self._max_mb.is_integer() else 1
            cut = tr("only the page's first {mb} MB were read", mb=number(self._max_mb, places))
            page = replace(page, note=f"{page.note}; {cut}" if page.note else cut)
        return ReadPage(url, page, self._clock.now(), fetched.cut)
