"""The four search engines against servers on 127.0.0.1 that answer as each service does."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from chatdesk.core.secrets import KeyStore, SessionKeys
from chatdesk.core.web.duckduckgo import DuckDuckGo
from chatdesk.core.web.engines import Brave, SearchResult, SearXNG, Tavily
from chatdesk.core.web.errors import AddressRefused, EngineError
from chatdesk.core.web.fetch import Fetcher
from chatdesk.core.web.searching import Addresses, engine_for, save_key
from tests.core.web.conftest import web_settings
from tests.core.web.web_server import (
    FakeWeb,
    Hit,
    brave_answer,
    duckduckgo_page,
    searxng_answer,
    tavily_answer,
)
from tests.keyrings import MemoryKeyring

pytestmark = pytest.mark.asyncio

HITS: list[Hit] = [
    (
        "Python <b>3.13</b> released",
        "https://www.python.org/downloads/release/python-3130/",
        "The <b>new</b> interpreter &amp; JIT",
    ),
    (
        "What's New In Python 3.13",
        "https://docs.python.org/3/whatsnew/3.13.html",
        "Summary –\n release   highlights",
    ),
    ("Not a web page", "javascript:alert(1)", "dropped"),
    ("Python 3.13 on LWN", "https://lwn.net/Articles/3.13/", ""),
]
EXPECTED = [
    (
        "Python 3.13 released",
        "https://www.python.org/downloads/release/python-3130/",
        "The new interpreter & JIT",
    ),
    (
        "What's New In Python 3.13",
        "https://docs.python.org/3/whatsnew/3.13.html",
        "Summary – release highlights",
    ),
    ("Python 3.13 on LWN", "https://lwn.net/Articles/3.13/", ""),
]


def _read(results: list[SearchResult], engine: str) -> list[tuple[str, str, str]]:
    assert [(r.engine, r.rank) for r in results] == [(engine, n + 1) for n in range(len(results))]
    return [(r.title, r.url, r.snippet) for r in results]


async def test_searxng_results_are_read_from_its_json_api(web: FakeWeb) -> None:
    web.json("/searx/search", searxng_answer(HITS))
    engine = SearXNG(Fetcher(web_settings(web)), web.origin + "/searx/")
    results = await engine.search("python 3.13 release", 8)
    assert _read(results, "searxng") == EXPECTED
    [seen] = web.seen
    query = parse_qs(urlsplit(seen.path).query)
    assert query == {"q": ["python 3.13 release"], "format": ["json"]}


async def test_duckduckgo_results_are_read_from_its_page_links_unwrapped_and_ads_left_out(
    web: FakeWeb,
) -> None:
    ad = ("Buy Python now", "https://ads.example/python", "Sponsored")
    web.page("/html/", duckduckgo_page(HITS, ad=ad))
    engine = DuckDuckGo(Fetcher(web_settings(web)), web.origin + "/html/")
    results = await engine.search("python 3.13", 2)
    assert _read(results, "duckduckgo") == EXPECTED[:2]
    assert parse_qs(urlsplit(web.seen[0].path).query) == {"q": ["python 3.13"]}


async def test_duckduckgo_results_with_images_and_breaks_inside_are_read_whole(
    web: FakeWeb,
) -> None:
    hits = [
        ('<img src="/i/python.org.ico">Python<wbr>.org', "https://www.python.org/", "Home<br>page"),
        *HITS[:2],
    ]
    web.page("/html/", duckduckgo_page(hits))
    results = await DuckDuckGo(Fetcher(web_settings(web)), web.origin + "/html/").search("py", 3)
    assert _read(results, "duckduckgo") == [
        ("Python.org", "https://www.python.org/", "Homepage"),
        *EXPECTED[:2],
    ]


async def test_a_duckduckgo_page_is_read_in_the_encoding_its_meta_declares(web: FakeWeb) -> None:
    hits = [("Café crème à Paris", "https://cafe.example/", "Le meilleur “crème” de la ville")]
    page = duckduckgo_page(hits).replace("<head>", '<head><meta charset="iso-8859-1">')
    web.route("/html/", body=page.encode("cp1252"), headers={"Content-Type": "text/html"})
    results = await DuckDuckGo(Fetcher(web_settings(web)), web.origin + "/html/").search("café", 1)
    assert _read(results, "duckduckgo") == hits


async def test_duckduckgo_with_no_results_is_an_empty_list_and_a_changed_page_an_error(
    web: FakeWeb,
) -> None:
    fetcher = Fetcher(web_settings(web))
    web.page("/html/", duckduckgo_page([]))
    assert await DuckDuckGo(fetcher, web.origin + "/html/").search("zxqv", 5) == []
    web.page("/anomaly/", "<html><body><form id='challenge-form'>Select all ducks</form></body>")
    with pytest.raises(EngineError, match="DuckDuckGo's answer could not be read as results"):
        await DuckDuckGo(fetcher, web.origin + "/anomaly/").search("python", 5)


async def test_brave_is_asked_with_its_key_in_its_header(web: FakeWeb) -> None:
    web.json("/res/v1/web/search", brave_answer(HITS))
    engine = Brave(Fetcher(web_settings(web)), "brave-key-1", web.origin + "/res/v1/web/search")
    assert _read(await engine.search("python", 8), "brave") == EXPECTED
    [seen] = web.seen
    assert seen.headers["x-subscription-token"] == "brave-key-1"
    assert parse_qs(urlsplit(seen.path).query) == {"q": ["python"], "count": ["8"]}


async def test_tavily_is_asked_by_a_post_with_its_key_as_a_bearer(web: FakeWeb) -> None:
    web.json("/search", tavily_answer(HITS))
    engine = Tavily(Fetcher(web_settings(web)), "tvly-key", web.origin + "/search")
    assert _read(await engine.search("python", 2), "tavily") == EXPECTED[:2]
    [seen] = web.seen
    assert (seen.method, seen.headers["authorization"]) == ("POST", "Bearer tvly-key")
    assert json.loads(seen.body) == {"query": "python", "max_results": 2}


async def test_a_rate_limit_says_when_to_try_again_and_nothing_retries(web: FakeWeb) -> None:
    web.json("/search", {"error": "slow down"}, status=429, **{"Retry-After": "30"})
    engine = SearXNG(Fetcher(web_settings(web)), web.origin)
    with pytest.raises(EngineError) as limited:
        await engine.search("python", 5)
    assert str(limited.value) == (
        "SearXNG is limiting how often chatdesk may search; try again in 30 s."
    )
    assert limited.value.retry_after == 30
    assert len(web.seen) == 1
    web.json("/search", {}, status=429)
    with pytest.raises(EngineError, match=r"; try again later\."):
        await engine.search("python", 5)


async def test_a_failing_engine_and_an_unreadable_answer_name_the_engine(web: FakeWeb) -> None:
    fetcher = Fetcher(web_settings(web))
    web.json("/res/v1/web/search", {"error": "boom"}, status=500)
    brave = Brave(fetcher, "k", web.origin + "/res/v1/web/search")
    with pytest.raises(EngineError) as failed:
        await brave.search("python", 5)
    assert str(failed.value) == "Brave Search failed with the error 500; try again later."
    web.route("/search", body=b"<html>Tavily is down for maintenance</html>")
    with pytest.raises(EngineError) as unreadable:
        await Tavily(fetcher, "k", web.origin + "/search").search("python", 5)
    assert str(unreadable.value) == "Tavily answered with something that is not its results."
    web.json("/search", {"detail": "Unauthorized: missing or invalid API key."}, status=401)
    with pytest.raises(EngineError) as refused:
        await Tavily(fetcher, "wrong", web.origin + "/search").search("python", 5)
    assert str(refused.value) == "Tavily refused the search (401): check its key or its settings."
    assert "wrong" not in str(refused.value)
    web.json("/search", [1, 2, 3])
    with pytest.raises(EngineError, match="SearXNG answered with something that is not"):
        await SearXNG(fetcher, web.origin).search("python", 5)


async def test_searxng_without_an_address_says_which_setting_to_set() -> None:
    settings = web_settings(engine="searxng")
    engine = engine_for(settings, SessionKeys(), Fetcher(settings))
    with pytest.raises(EngineError) as unset:
        await engine.search("python", 5)
    assert str(unset.value) == "SearXNG has no address: set searxng_url in the [web] settings."


async def test_searxng_without_json_says_how_to_turn_it_on(web: FakeWeb) -> None:
    web.route("/search", status=403, body=b"Forbidden")
    with pytest.raises(EngineError) as refused:
        await SearXNG(Fetcher(web_settings(web)), web.origin).search("python", 5)
    assert str(refused.value) == (
        f"SearXNG at {web.origin} refused to answer in JSON: add json to search.formats in "
        "its settings.yml."
    )


async def test_an_engine_on_this_computer_is_refused_unless_allowed(web: FakeWeb) -> None:
    web.json("/search", searxng_answer(HITS))
    settings = web_settings(engine="searxng", searxng_url=web.origin)
    with pytest.raises(AddressRefused, match=f"add 127.0.0.1:{web.port} to allow_private"):
        await engine_for(settings, SessionKeys(), Fetcher(settings)).search("python", 5)
    assert web.seen == []


async def test_the_engine_of_the_settings_is_made_with_its_key_from_the_keyring(
    web: FakeWeb, memory_keyring: MemoryKeyring
) -> None:
    web.json("/brave", brave_answer(HITS))
    web.json("/tavily", tavily_answer(HITS))
    addresses = Addresses(brave=web.origin + "/brave", tavily=web.origin + "/tavily")
    keys = KeyStore(memory_keyring)
    settings = web_settings(web, engine="brave")
    with pytest.raises(EngineError) as missing:
        engine_for(settings, keys, Fetcher(settings), addresses=addresses)
    assert str(missing.value) == (
        "Brave Search needs a key: enter it with `chatdesk web key brave`."
    )
    save_key(keys, "brave", " brave-secret \n", web.origin + "/brave")
    engine = engine_for(settings, keys, Fetcher(settings), addresses=addresses)
    assert len(await engine.search("python", 3)) == 3
    assert web.seen[-1].headers["x-subscription-token"] == "brave-secret"
    # a key entered for Brave's own address is not sent to another one
    save_key(keys, "tavily", "tvly-secret")
    tavily = web_settings(web, engine="tavily")
    with pytest.raises(EngineError, match=r"entered for another address \(https://api\.tavily"):
        engine_for(tavily, keys, Fetcher(tavily), addresses=addresses)
    assert all("tvly-secret" not in str(seen) for seen in web.seen)


async def test_results_are_cut_to_the_count_asked_for(web: FakeWeb) -> None:
    many = [(f"Page {n}", f"https://example.com/{n}", f"snippet {n}") for n in range(30)]
    web.json("/search", searxng_answer(many))
    results = await SearXNG(Fetcher(web_settings(web)), web.origin).search("pages", 8)
    assert [r.rank for r in results] == list(range(1, 9))
    assert results[-1].url == "https://example.com/7"
