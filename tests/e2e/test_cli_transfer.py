"""`chatdesk export` and `chatdesk import`, run as a user runs them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.e2e.cli import chatdesk, chatdesk_json, rows
from tests.fixtures.chatgpt.export import simple, write_zip


def _thread(*questions: str) -> str:
    thread_id: str = chatdesk_json("ask", questions[0])["thread_id"]
    for question in questions[1:]:
        assert chatdesk("ask", "--thread", thread_id, question).returncode == 0
    return thread_id


@pytest.mark.slow("export and import between two homes, each step a chatdesk process")
def test_a_thread_exported_and_everything_archived_come_back_elsewhere(
    tmp_path: Path, chatdesk_home: Path
) -> None:
    thread_id = _thread("What is a B-tree?", "And a trie?")
    _thread("Another thread")

    shown = chatdesk("export", thread_id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# What is a B-tree?\n")
    assert "## User · " in shown.stdout
    assert "And a trie?" in shown.stdout

    page = tmp_path / "thread.html"
    assert chatdesk("export", thread_id, "-o", str(page)).returncode == 0
    assert page.read_text().startswith("<!DOCTYPE html>")  # the format from the file name
    document = tmp_path / "thread.json"
    assert chatdesk("export", thread_id, "--format", "json", "-o", str(document)).returncode == 0
    assert len(json.loads(document.read_text())["messages"]) == 4

    archive = tmp_path / "everything.zip"
    made = chatdesk("export", "--all", "-o", str(archive))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"wrote 2 threads (6 messages) and 0 projects to {archive}"
    with zipfile.ZipFile(archive) as opened:
        assert len(opened.namelist()) == 3

    elsewhere = tmp_path / "elsewhere"
    report = chatdesk_json("--data-dir", str(elsewhere), "import", str(archive))
    assert (report["source"], report["threads_added"], report["messages"]) == ("chatdesk", 2, 6)
    again = chatdesk("--data-dir", str(elsewhere), "import", str(archive))
    assert again.returncode == 0
    assert again.stdout.strip() == (
        "imported 0 threads (0 messages) from a chatdesk export; "
        "2 were already here and were left as they are"
    )
    query = "SELECT id, parent_id, content FROM messages ORDER BY id"
    assert rows(elsewhere / "chatdesk.db", query) == rows(
        chatdesk_home / "data" / "chatdesk.db", query
    )


def test_a_chatgpt_export_is_imported_with_its_problems_reported(tmp_path: Path) -> None:
    conversations = [simple("First", 2).json(), {"title": "Broken"}, simple("Second", 1).json()]
    export = write_zip(tmp_path / "chatgpt.zip", conversations)
    result = chatdesk("import", str(export))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 2 threads (6 messages) from a ChatGPT export"
    assert "1 could not be imported:" in result.stderr
    assert "conversation 2 ('Broken'): it has no id" in result.stderr
    assert "importing:" not in result.stderr  # no progress line when stderr is not a terminal

    listed = chatdesk_json("threads", "list")
    assert sorted(t["title"] for t in listed) == ["First", "Second"]
    report = chatdesk_json("import", str(export))
    assert (report["threads_added"], report["threads_skipped"]) == (0, 2)
    assert report["problems"] == [{"where": "conversation 2 ('Broken')", "reason": "it has no id"}]


def test_mistakes_are_explained(tmp_path: Path) -> None:
    nothing = chatdesk("export")
    assert nothing.returncode == 2
    assert "name a thread to export, or give --all" in nothing.stderr
    no_file = chatdesk("export", "--all")
    assert no_file.returncode == 2
    assert "give it with -o FILE.zip" in no_file.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("not an export")
    wrong = chatdesk("import", str(notes))
    assert wrong.returncode == 2
    assert "is not a chatdesk or ChatGPT export" in wrong.stderr
    missing = chatdesk("import", str(tmp_path / "missing.zip"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
