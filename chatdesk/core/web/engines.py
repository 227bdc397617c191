"""Search engines: one protocol, one class each (the DuckDuckGo page's reader in duckduckgo.py).

Every engine asks through the `Fetcher`, so a search is held to the same guard, time and size
limits as a page. An engine's failure is an `EngineError` naming it; a rate limit says when to
try again, and nothing here tries again on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from html import unescape
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from chatdesk.core.i18n import number, tr
from chatdesk.core.web.errors import EngineError, HttpStatus
from chatdesk.core.web.fetch import Fetcher, Page

BRAVE_URL = "https://api.search.brave.com/res/v1/web/search"
TAVILY_URL = "https://api.tavily.com/search"
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchResult:
    """One hit: its rank counts from 1 in the engine's order."""

    title: str
    url: str
    snippet: str
    engine: str
    rank: int


class SearchEngine(Protocol):
    """What chatdesk searches with. `name` is its `[web] engine` value, which its results carry."""

    name: str

    async def search(self, query: str, count: int) -> list[SearchResult]: ...


def ranked(engine: str, hits: list[tuple[str, str, str]], count: int) -> list[SearchResult]:
    """(title, address, snippet) in the engine's order as results: only http(s) addresses,
    each once, titles and snippets as plain text on one line, at most `count`."""
    results: list[SearchResult] = []
    seen: set[str] = set()
    for title, url, snippet in hits:
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        rank = len(results) + 1
        results.append(SearchResult(_plain(title) or url, url, _plain(snippet), engine, rank))
        if len(results) == count:
            break
    return results


def _plain(text: str) -> str:
    return _SPACES.sub(" ", unescape(_TAGS.sub("", text))).strip()


async def asked(request: Awaitable[Page], label: str) -> Page:
    """The engine's page, its failures said as the engine's: a rate limit with when to try
    again, an error status with the engine's name."""
    try:
        return await request
    except HttpStatus as error:
        raise status_error(label, error) from None


def status_error(label: str, error: HttpStatus) -> EngineError:
    if error.status == 429:
        if error.retry_after is not None:
            return EngineError(
                tr(
                    "{engine} is limiting how often chatdesk may search; try again in {seconds} s.",
                    engine=label,
                    seconds=number(error.retry_after),
                ),
                retry_after=error.retry_after,
            )
        return EngineError(
            tr(
                "{engine} is limiting how often chatdesk may search; try again later.",
                engine=label,
            )
        )
    if error.status in (401, 403):
        return EngineError(
            tr(
                "{engine} refused the search ({status}): check its key or its settings.",
                engine=label,
                status=error.status,
            )
        )
    return EngineError(
        tr(
            "{engine} failed with the error {status}; try again later.",
            engine=label,
            status=error.status,
        )
    )


def json_of(page: Page, label: str) -> dict[str, Any]:
    try:
        data = json.loads(page.body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise EngineError(
            tr("{engine} answered with something that is not its results.", engine=label)
        )
    return data


def _items(data: dict[str, Any], *path: str) -> list[dict[str, Any]]:
    found: Any = data
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


class SearXNG:
    """A SearXNG instance's JSON API (`search.formats` must list `json` in its settings)."""

    name = "searxng"
    label = "SearXNG"

    def __init__(self, fetcher: Fetcher, base_url: str) -> None:
        self._fetcher = fetcher
        self._base = base_url.rstrip("/")

    async def search(self, query: str, count: int) -> list[SearchResult]:
        if not self._base:
            raise EngineError(tr("SearXNG has no address: set searxng_url in the [web] settings."))
        url = f"{self._base}/search?{urlencode({'q': query, 'format': 'json'})}"
        headers = {"Accept": "application/json"}
        try:
            page = await self._fetcher.get(url, headers=headers, cut_ok=False)
        except HttpStatus as error:
            if error.status != 403:  # what SearXNG answers when JSON is not one of its formats
                raise status_error(self.label, error) from None
            raise EngineError(
                tr(
                    "SearXNG at {url} refused to answer in JSON: add json to search.formats "
                    "in its settings.yml.",
                    url=self._base,
                )
            ) from None
        hits = _items(json_of(page, self.label), "results")
        return ranked(
            self.name,
            [(_text(h, "title"), _text(h, "url"), _text(h, "content")) for h in hits],
            count,
        )


class Brave:
    """Brave Search's API, with the key of `chatdesk web key brave`."""

    name = "brave"
    label = "Brave Search"

    def __init__(self, fetcher: Fetcher, key: str, base_url: str = BRAVE_URL) -> None:
        self._fetcher, self._key, self._url = fetcher, key, base_url

    async def search(self, query: str, count: int) -> list[SearchResult]:
        url = f"{self._url}?{urlencode({'q': query, 'count': min(count, 20)})}"
        headers = {"Accept": "application/json", "X-Subscription-Token": self._key}
        page = await asked(self._fetcher.get(url, headers=headers, cut_ok=False), self.label)
        hits = _items(json_of(page, self.label), "web", "results")
        return ranked(
            self.name,
            [(_text(h, "title"), _text(h, "url"), _text(h, "description")) for h in hits],
            count,
        )


class Tavily:
    """Tavily's search API, with the key of `chatdesk web key tavily`."""

    name = "tavily"
    label = "Tavily"

    def __init__(self, fetcher: Fetcher, key: str, base_url: str = TAVILY_URL) -> None:
        self._fetcher, self._key, self._url = fetcher, key, base_url

    async def search(self, query: str, count: int) -> list[SearchResult]:
        body = json.dumps({"query": query, "max_results": min(count, 20)}).encode()
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self._key}",
        }
        page = await asked(self._fetcher.post(self._url, body, headers=headers), self.label)
        hits = _items(json_of(page, self.label), "results")
        return ranked(
            self.name,
            [(_text(h, "title"), _text(h, "url"), _text(h, "content")) for h in hits],
            count,
        )
