"""DuckDuckGo, without a key: its HTML results page, read with the standard library's parser.

Each result is an `a.result__a` (its title, and an address that goes through DuckDuckGo:
`//duckduckgo.com/l/?uddg=<the address>`) followed by an `a.result__snippet`; ads sit in a
`div.result--ad` and are left out. A page with neither results nor the "no results" notice is
not one chatdesk can read (DuckDuckGo changed it, or asked to prove a person is searching).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from chatdesk.core.attach.encodings import decode_page
from chatdesk.core.i18n import language, tr
from chatdesk.core.web.engines import SearchResult, asked, ranked
from chatdesk.core.web.errors import EngineError
from chatdesk.core.web.fetch import Fetcher

DUCKDUCKGO_URL = "https://html.duckduckgo.com/html/"
# Elements that never have an end tag: counted open, they would never close.
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


class DuckDuckGo:
    name = "duckduckgo"
    label = "DuckDuckGo"

    def __init__(self, fetcher: Fetcher, base_url: str = DUCKDUCKGO_URL) -> None:
        self._fetcher, self._url = fetcher, base_url

    async def search(self, query: str, count: int) -> list[SearchResult]:
        url = f"{self._url}?{urlencode({'q': query})}"
        page = await asked(self._fetcher.get(url, headers={"Accept": "text/html"}), self.label)
        reader = ResultsPage(page.url)
        reader.feed(decode_page(page.body, page.charset, html=True, language=language())[0])
        reader.close()
        if not reader.hits and not reader.no_results:
            raise EngineError(
                tr(
                    "DuckDuckGo's answer could not be read as results (it may be asking to "
                    "confirm a person is searching); try again later or choose another engine."
                )
            )
        return ranked(self.name, reader.hits, count)


class ResultsPage(HTMLParser):
    """The (title, address, snippet) of each result of a DuckDuckGo HTML page, in order."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hits: list[tuple[str, str, str]] = []
        self.no_results = False
        self._page_url = page_url
        self._in: str | None = None  # "title" or "snippet" while inside one
        self._depth = 0  # open elements inside it
        self._text: list[str] = []
        self._ad_depth: int | None = None  # the div depth of the ad being skipped
        self._divs = 0
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self._divs += 1
            if "result--ad" in classes and self._ad_depth is None:
                self._ad_depth = self._divs
            if "no-results" in classes:
                self.no_results = True
        if self._in is not None:
            self._depth += tag not in _VOID
        elif tag in ("a", "div", "td") and self._ad_depth is None:
            self._start(classes, dict(attrs).get("href") or "")

    def _start(self, classes: list[str], href: str) -> None:
        if "result__a" in classes:
            self._in, self._href = "title", href
        elif "result__snippet" in classes and self.hits:
            self._in = "snippet"
        self._depth, self._text = 0, []

    def handle_endtag(self, tag: str) -> None:
        if self._in is not None:
            if self._depth:
                self._depth -= 1
            else:
                self._end()
        if tag == "div":
            if self._ad_depth == self._divs:
                self._ad_depth = None
            self._divs -= 1

    def _end(self) -> None:
        text = "".join(self._text)
        if self._in == "title":
            self.hits.append((text, self._unwrapped(self._href), ""))
        elif self.hits:
            title, url, _ = self.hits[-1]
            self.hits[-1] = (title, url, text)
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)

    def _unwrapped(self, href: str) -> str:
        """The address a result's link goes through DuckDuckGo to."""
        absolute = urljoin(self._page_url, href)
        parts = urlsplit(absolute)
        if parts.path == "/l/" and (target := parse_qs(parts.query).get("uddg")):
            return target[0]
        return absolute
