"""`chatdesk search`, run as a user runs it."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.cli import chatdesk, chatdesk_json


def test_search_finds_messages_and_titles(chatdesk_home: Path) -> None:
    thread_id = chatdesk_json("ask", "How do I rotate nginx logs?")["thread_id"]
    chatdesk_json("ask", "What is a B-tree?")
    found = chatdesk_json("search", "nginx")
    assert [hit["thread_id"] for hit in found["threads"]] == [thread_id]
    assert found["ranking"] == "relevance"
    assert found["completed"]  # less than a page: words that start with "nginx" were looked for
    question = next(hit for hit in found["messages"] if hit["role"] == "user")
    assert question["thread_id"] == thread_id
    snippet = question["snippet"]
    assert snippet["text"] == "How do I rotate nginx logs?"
    [[start, end]] = snippet["highlights"]
    assert snippet["text"][start:end] == "nginx"

    shown = chatdesk("search", "nginx")
    assert shown.returncode == 0, shown.stderr
    assert f"thread {thread_id.replace('-', '')[:12]}  How do I rotate nginx logs?" in shown.stdout
    assert "    How do I rotate nginx logs?" in shown.stdout  # the snippet, plain: not a terminal
    nothing = chatdesk("search", "zeppelin")
    assert (nothing.returncode, nothing.stdout) == (0, "nothing matches 'zeppelin'\n")


@pytest.mark.slow("every filter of search, each run as its own chatdesk process")
def test_filters(chatdesk_home: Path) -> None:
    thread_id = chatdesk_json("ask", "Tell me about nginx")["thread_id"]
    other = chatdesk_json("ask", "nginx or apache?")["thread_id"]

    def threads(*options: str) -> set[str]:
        return {hit["thread_id"] for hit in chatdesk_json("search", "nginx", *options)["messages"]}

    assert threads() == {thread_id, other}
    assert threads("--thread", thread_id) == {thread_id}
    roles = {hit["role"] for hit in chatdesk_json("search", "nginx", "--role", "user")["messages"]}
    assert roles == {"user"}
    today = date.today()
    assert threads("--since", str(today - timedelta(days=1))) == {thread_id, other}
    assert threads("--until", str(today - timedelta(days=1))) == set()
    assert threads("--until", str(today)) == {thread_id, other}  # up to the end of the day
    with sqlite3.connect(chatdesk_home / "data" / "chatdesk.db") as connection:
        connection.execute(
            "UPDATE threads SET archived = 1 WHERE id = ?", (other.replace("-", ""),)
        )
    assert threads() == {thread_id}
    assert threads("--archived") == {thread_id, other}
    unknown = chatdesk("search", "nginx", "--project", "Nope")
    assert unknown.returncode == 1
    assert "no project named 'Nope'" in unknown.stderr
    bad_date = chatdesk("search", "nginx", "--since", "yesterday")
    assert bad_date.returncode == 2
    assert "not a date like 2026-11-30" in bad_date.stderr


@pytest.mark.slow("each query and each refused one its own chatdesk process")
def test_any_text_is_searched_and_advanced_errors_say_why(chatdesk_home: Path) -> None:
    chatdesk_json("ask", 'say "NOT" (or C++) -now')
    for text in ('"', "( -", "*", "NOT", "a:b", "🎉", ""):
        result = chatdesk("search", text, "--json")
        assert result.returncode == 0, (text, result.stderr)
    found = chatdesk_json("search", 'C++) "NOT" -now')
    assert len(found["messages"]) >= 1
    advanced = chatdesk_json("search", "say NOT nothing", "--advanced")
    assert len(advanced["messages"]) >= 1
    broken = chatdesk("search", '"say', "--advanced")
    assert broken.returncode == 2
    assert "not valid FTS5 syntax (unterminated string)" in broken.stderr
