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


def _three_pages(server: FakeWeb) -> list[str]:
    urls = [
        server.page(f"/news/{n}", article().replace("Footbridge approved", f"Story {n}"))
        for n in (1, 2, 3)
    ]
    server.json("/search", searxng_answer([(f"Story {n}", u, "") for n, u in enumerate(urls, 1)]))
    return urls


def test_ask_web_answers_from_the_pages_read_and_lists_them(searx: FakeWeb) -> None:
    urls = _three_pages(searx)

    asked = chatdesk("ask", "--web", "footbridge", env=_engine(searx))

    assert asked.returncode == 0, asked.stderr
    answer, sources = asked.stdout.split("Sources:")
    assert "[1]" in answer
    assert "[2]" in answer
    listed = sorted(line.split(" ", 1)[1] for line in sources.splitlines() if line)
    assert listed[0].startswith(f"Story 1 — {urls[0]} (Lenne Courier, read ")
    assert listed[1].startswith(f"Story 2 — {urls[1]} (Lenne Courier, read ")
    assert sorted(line[:4] for line in sources.splitlines() if line) == ["[1] ", "[2] "]


def test_ask_research_prints_steps_on_stderr_and_the_report_with_its_sources(
    searx: FakeWeb,
) -> None:
    urls = _three_pages(searx)

    asked = chatdesk("ask", "--research", "--pages", "2", "footbridge", env=_engine(searx))

    assert asked.returncode == 0, asked.stderr
    steps = [line for line in asked.stderr.splitlines() if line.startswith("… ")]
    assert steps[0].startswith("… Planning the searches (0 of 2 pages, ")
    assert steps[0].endswith(" of 5:00)")
    assert steps[-1].startswith("… Writing the report (2 of 2 pages, ")
    report, sources = asked.stdout.split("Sources:")
    assert report.startswith("## Summary")  # the plan is the answer's reasoning, not its text
    listed = [line.split(" — ")[1].split(" ")[0] for line in sources.splitlines() if line]
    assert sorted(listed) == urls[:2]  # numbered as they were read, side by side


def test_research_and_compare_are_refused_together_before_anything_is_sent(
    searx: FakeWeb,
) -> None:
    asked = chatdesk("ask", "--research", "--compare", "mock/mock-1,mock/mock-2", "x")
    assert asked.returncode != 0
    assert "--research and --compare cannot be used together" in asked.stderr
    assert searx.paths() == []


def test_an_answer_from_the_web_keeps_its_sources_for_threads_show(searx: FakeWeb) -> None:
    urls = _three_pages(searx)
    env = _engine(searx)
    asked = chatdesk("ask", "--web", "footbridge over the Lenne", "--json", env=env)
    assert asked.returncode == 0, asked.stderr
    thread_id = json.loads(asked.stdout)["thread_id"]

    shown = chatdesk("threads", "show", thread_id, env=env)
    assert shown.returncode == 0, shown.stderr
    listed = shown.stdout.split("Sources:\n", 1)[1].splitlines()
    assert sorted(line.split(" — ")[1].split(" ")[0] for line in listed[:2]) == urls[:2]
    assert all("(Lenne Courier, read " in line for line in listed[:2])

    as_json = json.loads(chatdesk("threads", "show", thread_id, "--json", env=env).stdout)
    sources = as_json["messages"][-1]["sources"]
    assert sorted(s["url"] for s in sources) == urls[:2]
    assert {s["title"] for s in sources} == {"Story 1", "Story 2"}
    assert all(s["read_at"] and s["location"] == "Lenne Courier" for s in sources)
