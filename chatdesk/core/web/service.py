"""The web as one service: a search with the engine `[web] engine` names, and a page read as a
model is given it. A chat's web tools (chatdesk/core/tools/web_tools.py) and `chatdesk web`
call the same `Web`, which the composition root builds (chatdesk/app.py).

Each call reads `[web]` as it is then (a changed engine or limit applies to the next call) and
makes its own fetcher: no connection, cookie or cache is kept between calls. What it calls
(the guarded fetch, the engines, the reading of a page) is imported by the first call, so a
core that never searches pays only for this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.core.clock import Clock
from chatdesk.core.settings_outside import WebSettings

if TYPE_CHECKING:
    from chatdesk.core.attach.worker import Reader
    from chatdesk.core.web.engines import SearchResult as SearchResult
    from chatdesk.core.web.fetch import Fetcher
    from chatdesk.core.web.reading import ReadPage as ReadPage
    from chatdesk.core.web.searching import Addresses, Keys


@dataclass(frozen=True)
class Searched:
    """A search's results in the engine's order, and the engine that gave them (its
    `[web] engine` value)."""

    engine: str
    results: list[SearchResult]


class Web:
    """`await web.search(query)` and `await web.read(url)`; their failures are `WebError`s
    (a refused address, a timeout, an engine's limit or missing key, a page with no text …).
    `keys` is where the engines' keys are kept; `reader`, the reading child's supervisor a
    page's text is made in. `fetcher` and `addresses` are for tests (servers on 127.0.0.1 in
    the engines' place)."""

    def __init__(
        self,
        settings: Callable[[], WebSettings],
        keys: Keys,
        reader: Reader,
        clock: Clock,
        *,
        fetcher: Callable[[WebSettings], Fetcher] | None = None,
        addresses: Addresses | None = None,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._reader = reader
        self._clock = clock
        self._fetcher = fetcher
        self._addresses = addresses

    @property
    def settings(self) -> WebSettings:
        """`[web]` as it is now."""
        return self._settings()

    async def search(
        self, query: str, count: int | None = None, *, engine: str | None = None
    ) -> Searched:
        """At most `count` results (default `[web] results`) for `query`, from `engine`
        (default `[web] engine`)."""
        from chatdesk.core.web.searching import engine_for

        settings = self._settings()
        if engine:
            settings = dataclasses.replace(settings, engine=engine)
        chosen = engine_for(
            settings, self._keys, self._fetcher_for(settings), addresses=self._addresses
        )
        results = await chosen.search(query, settings.results if count is None else count)
        return Searched(chosen.name, results)

    async def read(self, url: str, *, chars: int | None = None) -> ReadPage:
        """The page at `url` as text for a model, cut to `chars` (default `[web] page_chars`)."""
        from chatdesk.core.web.reading import PageReader
        from chatdesk.core.web.text import PageTexts

        settings = self._settings()
        texts = PageTexts(self._reader)
        pages = PageReader(settings, self._fetcher_for(settings), texts, self._clock)
        return await pages.read(url, chars=chars)

    def _fetcher_for(self, settings: WebSettings) -> Fetcher:
        if self._fetcher is not None:
            return self._fetcher(settings)
        from chatdesk.core.web.fetch import Fetcher

        return Fetcher(settings)
