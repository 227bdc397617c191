"""`chatdesk web search` and `chatdesk web key`, run as a user runs them, against a
SearXNG-shaped server on 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from chatdesk.cli.main import main
from tests.core.web.pages import ARTICLE_SENTENCE, article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.e2e.cli import chatdesk
from tests.keyrings import MemoryKeyring

HITS = [
    ("Python 3.13 released", "https://www.python.org/downloads/", "The new <b>JIT</b>"),
    ("What's New", "https://docs.python.org/3/whatsnew/3.13.html", ""),
]


@pytest.fixture
def searx() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    server.json("/search", searxng_answer(HITS))
    yield server
    server.close()


def _engine(server: FakeWeb, *, allowed: bool = True) -> dict[str, str]:
    return {
        "CHATDESK_WEB_ENGINE": "searxng",
        "CHATDESK_WEB_SEARXNG_URL": server.origin,
        "CHATDESK_WEB_ALLOW_PRIVATE": server.allow if allowed else "",
    }


def test_search_prints_rank_title_address_and_snippet(searx: FakeWeb) -> None:
    shown = chatdesk("web", "search", "python 3.13", env=_engine(searx))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == (
        " 1. Python 3.13 released\n"
        "    https://www.python.org/downloads/\n"
        "    The new JIT\n"
        " 2. What's New\n"
        "    https://docs.python.org/3/whatsnew/3.13.html\n"
    )
    as_json = chatdesk("web", "search", "python 3.13", "--json", "--count", "1", env=_engine(searx))
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [
        {
            "title": "Python 3.13 released",
            "url": "https://www.python.org/downloads/",
            "snippet": "The new JIT",
            "engine": "searxng",
            "rank": 1,
        }
    ]


def test_search_errors_say_why_with_an_exit_code(searx: FakeWeb) -> None:
    refused = chatdesk("web", "search", "python", env=_engine(searx, allowed=False))
    assert refused.returncode == 1
    assert f"add 127.0.0.1:{searx.port} to allow_private" in refused.stderr
    assert refused.stdout == ""
    searx.json("/search", {}, status=429, **{"Retry-After": "120"})
    limited = chatdesk("web", "search", "python", env=_engine(searx))
    assert (limited.returncode, limited.stderr) == (
        1,
        "chatdesk: error: SearXNG is limiting how often chatdesk may search; try again in 120 s.\n",
    )
    no_key = chatdesk("web", "search", "python", "--engine", "brave", env=_engine(searx))
    assert no_key.returncode == 1
    assert "Brave Search needs a key: enter it with `chatdesk web key brave`" in no_key.stderr
    empty = chatdesk("web", "search", "  ", env=_engine(searx))
    assert (empty.returncode, empty.stderr) == (
        2,
        "chatdesk: error: the query is empty; nothing was searched\n",
    )


def test_a_key_without_a_keyring_is_refused_and_an_engine_without_keys_says_so() -> None:
    # The test processes have no system keyring (PYTHON_KEYRING_BACKEND is the failing one).
    kept = chatdesk("web", "key", "tavily", stdin=b"tvly-secret\n")
    assert kept.returncode == 1
    assert "cannot save the API key" in kept.stderr
    assert "tvly-secret" not in kept.stderr
    needless = chatdesk("web", "key", "duckduckgo", stdin=b"whatever\n")
    assert (needless.returncode, needless.stderr) == (
        2,
        "chatdesk: error: duckduckgo needs no key.\n",
    )


def test_a_key_read_from_stdin_is_kept_for_the_engines_address(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("brave-secret\n"))
    assert main(["web", "key", "brave"]) == 0
    stored = json.loads(memory_keyring.passwords["chatdesk", "chatdesk-web-brave"])
    assert stored == {"origin": "https://api.search.brave.com", "key": "brave-secret"}
    assert capsys.readouterr().err == "the key for brave is in the keyring\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["web", "key", "brave"]) == 2
    assert json.loads(memory_keyring.passwords["chatdesk", "chatdesk-web-brave"]) == stored


def test_read_prints_a_pages_title_address_and_main_text(searx: FakeWeb) -> None:
    url = searx.page("/news/footbridge", article())
    env = {"CHATDESK_WEB_ALLOW_PRIVATE": searx.allow}

    shown = chatdesk("web", "read", url, env=env)
    assert shown.returncode == 0, shown.stderr
    title, address, facts, blank, *text = shown.stdout.splitlines()
    assert title.startswith("Footbridge approved")
    assert (address, blank) == (url, "")
    assert "Lenne Courier" in facts
    assert ARTICLE_SENTENCE in "\n".join(text)
    assert "Buy cheap watches" not in shown.stdout

    as_json = json.loads(chatdesk("web", "read", url, "--json", env=env).stdout)
    assert (as_json["url"], as_json["asked"], as_json["kind"]) == (url, url, "html")
    assert ARTICLE_SENTENCE in as_json["text"]


def test_read_refuses_this_machine_unless_allowed_and_says_how(searx: FakeWeb) -> None:
    url = searx.page("/admin", "<html><body><p>router settings</p></body></html>")
    refused = chatdesk("web", "read", url)
    assert refused.returncode != 0
    assert "allow_private" in refused.stderr
    assert "router settings" not in refused.stdout
