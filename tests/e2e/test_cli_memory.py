"""`chatdesk memory …`, `ask --no-memory`, `ask --approve allow` on the memory's card and the
memory line of `chatdesk tokens`, run as a user runs them (the offline mock answers, and
answers from the memories it was given: "Keeping in mind what you told me — …")."""

from __future__ import annotations

import json
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import chatdesk, chatdesk_json, rows

LED = "Keeping in mind what you told me"


def _database(home: Path) -> Path:
    return home / "data" / "chatdesk.db"


def _listed() -> list[dict[str, Any]]:
    memories: list[dict[str, Any]] = chatdesk_json("memory", "list")["memories"]
    return memories


def _kept(*args: str) -> int:
    added = chatdesk("memory", "add", *args, "--json")
    assert added.returncode == 0, added.stderr
    memory_id: int = json.loads(added.stdout)["id"]
    return memory_id


@pytest.mark.slow("memories' whole life as a user types it, each step a chatdesk process")
def test_memories_kept_listed_changed_and_deleted() -> None:
    cat = _kept("My cat is called Turing")
    units = _kept("I prefer metric units", "--always")
    rust = _kept("Answer code questions in Rust", "--assistant", "code reviewer")

    shown = chatdesk("memory", "list")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == 3
    [rust_line] = [line for line in lines if line.lstrip().startswith(f"{rust} ")]
    assert "Assistant “Code reviewer”" in rust_line
    assert "Answer code questions in Rust" in rust_line
    [units_line] = [line for line in lines if line.lstrip().startswith(f"{units} ")]
    assert "on, always" in units_line
    assert "Everyone" in units_line
    assert "typed" in units_line
    found = chatdesk_json("memory", "list", "--search", "CAT")["memories"]
    assert [(m["id"], m["text"], m["always"]) for m in found] == [
        (cat, "My cat is called Turing", False)
    ]

    changed = chatdesk("memory", "edit", str(cat), "My cat is called Ada")
    assert changed.returncode == 0, changed.stderr
    assert {m["id"]: m["text"] for m in _listed()}[cat] == "My cat is called Ada"

    removed = chatdesk("memory", "remove", str(cat))
    assert removed.returncode == 0, removed.stderr
    assert "older backups still hold it until they are rotated out" in removed.stdout
    assert cat not in {m["id"] for m in _listed()}
    gone = chatdesk("memory", "remove", str(cat))
    assert gone.returncode == 1
    assert f"There is no memory number {cat}." in gone.stderr


def test_bad_memories_are_refused_with_the_reason() -> None:
    empty = chatdesk("memory", "add", "   ")
    assert empty.returncode == 2
    assert "A memory needs some words." in empty.stderr
    long = chatdesk("memory", "add", "x" * 2_001)
    assert long.returncode == 2
    assert "at most 2,000 characters" in long.stderr
    nobody = chatdesk("memory", "add", "words", "--project", "Thesis")
    assert nobody.returncode == 1
    assert "no project named 'Thesis'" in nobody.stderr
    both = chatdesk("memory", "add", "words", "--project", "A", "--assistant", "Tutor")
    assert both.returncode == 2  # argparse: one or the other
    assert _listed() == []


@pytest.mark.slow("answers asked as chatdesk processes with memory on, then off")
def test_an_answer_is_given_the_memories_until_memory_is_switched_off(
    chatdesk_home: Path,
) -> None:
    _kept("My cat is called Turing")
    given = chatdesk_json("ask", "What is my cat called?")
    assert LED in given["content"]
    assert "Turing" in given["content"]

    off = chatdesk("memory", "off")
    assert off.returncode == 0, off.stderr
    saved = tomllib.loads((chatdesk_home / "config" / "config.toml").read_text())
    assert saved["memory"]["enabled"] is False
    assert chatdesk_json("memory", "list")["enabled"] is False
    assert "memory is off" in chatdesk("memory", "list").stdout
    without = chatdesk_json("ask", "What is my cat called?")
    assert "Turing" not in without["content"]

    assert chatdesk("memory", "on").returncode == 0
    again = chatdesk_json("ask", "What is my cat called?")
    assert "Turing" in again["content"]


def test_memory_off_for_an_assistants_chats_only() -> None:
    _kept("My cat is called Turing")
    off = chatdesk("memory", "off", "--assistant", "tutor")
    assert off.returncode == 0, off.stderr
    assert "Assistant “Tutor”" in off.stdout

    tutored = chatdesk_json("ask", "What is my cat called?", "--assistant", "Tutor")
    assert "Turing" not in tutored["content"]
    plain = chatdesk_json("ask", "What is my cat called?")
    assert "Turing" in plain["content"]

    assert chatdesk("memory", "on", "--assistant", "Tutor").returncode == 0
    tutored = chatdesk_json("ask", "What is my cat called?", "--assistant", "Tutor")
    assert "Turing" in tutored["content"]


def test_ask_no_memory_keeps_the_chat_without_memory(chatdesk_home: Path) -> None:
    _kept("My cat is called Turing")
    first = chatdesk_json("ask", "--no-memory", "What is my cat called?")
    assert "Turing" not in first["content"]
    database = _database(chatdesk_home)
    [(off,)] = rows(database, "SELECT memory_off FROM threads WHERE id = ?", _hex(first))
    assert off == 1
    [(used,)] = rows(database, "SELECT memories FROM messages WHERE id = ?", _hex(first, "id"))
    assert used is None

    # The chat stays without memory, and memory is still on everywhere else.
    later = chatdesk_json("ask", "--thread", first["thread_id"], "And my cat's name?")
    assert "Turing" not in later["content"]
    assert chatdesk_json("memory", "list")["enabled"] is True
    other = chatdesk_json("ask", "What is my cat called?")
    assert "Turing" in other["content"]

    # Asked in a chat that had memory, --no-memory switches it off there too.
    continued = chatdesk_json("ask", "--thread", other["thread_id"], "--no-memory", "My cat?")
    assert "Turing" not in continued["content"]


def test_approve_allow_keeps_what_the_model_proposes_to_remember() -> None:
    answer = chatdesk_json("ask", "Remember that I live in Lisbon", "--approve", "allow")
    assert answer["status"] == "complete"
    [kept] = _listed()
    assert kept["text"] == "I live in Lisbon."
    assert kept["origin"] == "model"
    assert kept["thread_id"] == answer["thread_id"]
    shown = chatdesk("memory", "list").stdout
    assert "proposed by the model “Remember that I live in Lisbon”" in shown


def test_without_a_terminal_the_card_is_refused_and_nothing_is_kept() -> None:
    refused = chatdesk("ask", "Remember that I live in Lisbon")
    assert refused.returncode == 0, refused.stderr
    assert "no terminal to ask: refused" in refused.stderr
    assert _listed() == []
    denied = chatdesk("ask", "Remember that I live in Lisbon", "--approve", "deny")
    assert denied.returncode == 0, denied.stderr
    assert _listed() == []


def test_no_memory_proposes_nothing_to_remember() -> None:
    answer = chatdesk_json(
        "ask", "--no-memory", "Remember that I live in Lisbon", "--approve", "allow"
    )
    assert answer["status"] == "complete"
    assert _listed() == []


@pytest.mark.slow("memories kept and counted by chatdesk processes, one per command")
def test_tokens_shows_the_memories_the_draft_would_be_given() -> None:
    _kept("My cat is called Turing")
    _kept("I prefer metric units", "--always")
    thread_id = chatdesk_json("ask", "--no-memory", "hello")["thread_id"]
    quiet = chatdesk_json("tokens", thread_id, "--draft", "what is my cat called?")
    assert (quiet["memory"], quiet["memories"]) == (0, 0)
    assert "memory" not in chatdesk("tokens", thread_id, "--draft", "my cat?").stdout

    thread_id = chatdesk_json("ask", "hello")["thread_id"]
    parts = chatdesk_json("tokens", thread_id, "--draft", "what is my cat called?")
    assert parts["memories"] == 2
    assert parts["memory"] > 0
    assert parts["used"] == sum(
        parts[name] for name in ("system", "summary", "history", "draft", "memory")
    )
    plain = chatdesk_json("tokens", thread_id, "--draft", "how do planes fly?")
    assert plain["memories"] == 1  # the "always" one only
    shown = chatdesk("tokens", thread_id, "--draft", "what is my cat called?")
    [line] = [line for line in shown.stdout.splitlines() if line.strip().startswith("memory")]
    assert f"{parts['memory']:,}" in line
    assert "(2 memories)" in line


@pytest.mark.slow("export and import between two homes, each step a chatdesk process")
def test_memories_exported_and_imported_between_two_homes(tmp_path: Path) -> None:
    _kept("My cat is called Turing")
    _kept("Answer code questions in Rust", "--assistant", "Code reviewer")
    path = tmp_path / "memories.json"
    exported = chatdesk("memory", "export", str(path))
    assert exported.returncode == 0, exported.stderr
    assert "wrote 2 memories" in exported.stdout

    elsewhere = {"CHATDESK_HOME": str(tmp_path / "elsewhere")}
    imported = chatdesk("memory", "import", str(path), env=elsewhere)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "2 memories added"
    again = chatdesk("memory", "import", str(path), env=elsewhere)
    assert again.stdout.strip() == "0 memories added; 2 were kept already"
    listed = chatdesk("memory", "list", "--json", env=elsewhere)
    there = {(m["text"], m["for"], m["origin"]) for m in json.loads(listed.stdout)["memories"]}
    assert there == {
        ("My cat is called Turing", "Everyone", "import"),
        ("Answer code questions in Rust", "Assistant “Code reviewer”", "import"),
    }

    path.write_text("not json", encoding="utf-8")
    bad = chatdesk("memory", "import", str(path))
    assert bad.returncode == 2
    assert "is not a memories file" in bad.stderr


def _hex(answer: dict[str, Any], key: str = "thread_id") -> str:
    return str(answer[key]).replace("-", "")


@pytest.mark.slow("exports with and without memories, each a chatdesk process, read back")
def test_export_holds_memories_only_when_asked(tmp_path: Path) -> None:
    _kept("My passport number is QX-481-ZEBRA")
    thread_id = chatdesk_json("ask", "hello")["thread_id"]
    plain, kept = tmp_path / "plain.zip", tmp_path / "kept.zip"
    assert chatdesk("export", "--all", "-o", str(plain)).returncode == 0
    assert "QX-481-ZEBRA" not in _unzipped(plain)
    with_them = chatdesk("export", "--all", "-o", str(kept), "--memories")
    assert with_them.returncode == 0, with_them.stderr
    assert "QX-481-ZEBRA" in _unzipped(kept)
    readable = chatdesk("export", thread_id, "--format", "md", "--memories")
    assert readable.returncode == 2
    assert "memories go only into a JSON export or a zip of everything" in readable.stderr

    elsewhere = {"CHATDESK_HOME": str(tmp_path / "elsewhere")}
    imported = chatdesk("import", str(kept), env=elsewhere)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[-1] == "1 memory added"
    listed = chatdesk("memory", "list", "--json", env=elsewhere)
    texts = [m["text"] for m in json.loads(listed.stdout)["memories"]]
    assert texts == ["My passport number is QX-481-ZEBRA"]
    nothing = chatdesk("import", str(plain), "--json", env={"CHATDESK_HOME": str(tmp_path / "b")})
    assert json.loads(nothing.stdout)["memories"] is None


def _unzipped(path: Path) -> str:
    with zipfile.ZipFile(path) as zipped:
        return "".join(zipped.read(name).decode() for name in zipped.namelist())
