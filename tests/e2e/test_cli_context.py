"""`chatdesk tokens` and `chatdesk summarize`, run as a user runs them."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import chatdesk, chatdesk_json, rows


def _thread_with(*questions: str) -> str:
    thread_id: str = chatdesk_json("ask", questions[0])["thread_id"]
    for question in questions[1:]:
        assert chatdesk("ask", "--thread", thread_id, question).returncode == 0
    return thread_id


def test_tokens_prints_the_breakdown_the_gauge_shows() -> None:
    thread_id = _thread_with("What is a B-tree?")
    parts = chatdesk_json("tokens", thread_id[:8])
    assert parts["thread_id"] == thread_id
    assert parts["model"] == "mock-1"
    assert (parts["window"], parts["reserve"], parts["budget"]) == (8_192, 1_024, 7_168)
    assert parts["used"] == parts["system"] + parts["summary"] + parts["history"] + parts["draft"]
    assert parts["messages"] == 2
    assert parts["estimated"]  # the mock has no tokenizer of its own
    drafted = chatdesk_json("tokens", thread_id, "--draft", "and a B+ tree?")
    assert drafted["draft"] > 0
    assert drafted["used"] == parts["used"] + drafted["draft"]

    shown = chatdesk("tokens", thread_id)
    assert shown.returncode == 0, shown.stderr
    assert f"mock-1: ≈{parts['used']:,} of 7,168 tokens" in shown.stdout
    assert "history" in shown.stdout
    assert "(2 messages)" in shown.stdout


def test_summarize_stores_a_summary_the_next_request_uses(chatdesk_home: Path) -> None:
    thread_id = _thread_with("first question?", "second question?")
    summary = chatdesk_json("summarize", thread_id)["summary"]
    assert summary["content"] == "- Asked about: first question?"
    assert (summary["provider"], summary["model"]) == ("mock", "mock-1")
    database = chatdesk_home / "data" / "chatdesk.db"
    [(covered,)] = rows(database, "SELECT covers_through_message_id FROM summaries")
    assert covered == summary["covers_through_message_id"].replace("-", "")
    parts = chatdesk_json("tokens", thread_id)
    assert parts["summary_id"] == summary["id"]
    assert parts["messages"] == 2
    shown = chatdesk("summarize", thread_id)  # only the last exchange is left
    assert shown.returncode == 0
    assert "nothing to summarise yet" in shown.stdout


def test_an_unknown_thread_is_an_error() -> None:
    result = chatdesk("tokens", "ffff0000")
    assert result.returncode == 1
    assert "no thread matches 'ffff0000'" in result.stderr
