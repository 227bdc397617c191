"""`chatdesk kb …` and `chatdesk ask --kb`, run as a user runs them: the real command in a
subprocess, a data folder per test, real files, the mock provider answering offline."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.cli import chatdesk, chatdesk_json


def _notes(folder: Path) -> Path:
    folder.mkdir()
    (folder / "boiler.md").write_text(
        "# Boiler\n\nHold the red button for ten seconds to reset the boiler.\n", encoding="utf-8"
    )
    (folder / "car.txt").write_text("The car's tyre pressure is 2.4 bar.\n", encoding="utf-8")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return folder


def test_create_add_search_and_ask_with_citations(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "notes")
    assert chatdesk("kb", "create", "Home").returncode == 0
    added = chatdesk_json("kb", "add", "home", str(notes))
    assert (added["documents"], added["not_indexed"], added["pass"]["read"]) == (2, 1, 2)

    status = chatdesk("kb", "status", "Home")
    assert status.returncode == 0, status.stderr
    assert f"{notes}  (2 indexed)" in status.stdout
    assert "not indexed: " in status.stdout
    assert "photo.txt" in status.stdout

    found = chatdesk_json("kb", "search", "Home", "how do I reset the boiler")["passages"]
    assert found[0]["path"] == str(notes / "boiler.md")
    assert found[0]["location"] == "Boiler"

    asked = chatdesk("ask", "--kb", "Home", "How do I reset the boiler?")
    assert asked.returncode == 0, asked.stderr
    assert "Hold the red button for ten seconds to reset the boiler. [1]" in asked.stdout
    assert f"[1] {notes / 'boiler.md'}, Boiler" in asked.stdout
    answer = chatdesk_json("ask", "--kb", "Home", "What is the tyre pressure?")
    assert answer["sources"][0]["path"] == str(notes / "car.txt")
    assert "[1]" in answer["content"]


def test_a_changed_folder_is_seen_by_index(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "notes")
    chatdesk("kb", "create", "Home")
    chatdesk("kb", "add", "Home", str(notes))
    car = notes / "car.txt"
    car.write_text("The car's tyre pressure is 3.1 bar.\n", encoding="utf-8")
    later = car.stat().st_mtime_ns + 10_000_000_000
    os.utime(car, ns=(later, later))
    (notes / "boiler.md").unlink()

    passed = chatdesk_json("kb", "index", "Home")["pass"]
    assert (passed["read"], passed["removed"]) == (1, 1)
    answer = chatdesk_json("ask", "--kb", "Home", "What is the tyre pressure?")
    assert "3.1 bar" in answer["content"]


def test_embedding_model_and_removal(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "notes")
    chatdesk("kb", "create", "Home")
    chatdesk("kb", "add", "Home", str(notes))
    embedded = chatdesk_json("kb", "embed", "Home", "mock-embed")
    assert embedded["vectors"] == embedded["passages"] > 0
    found = chatdesk_json("kb", "search", "Home", "resetting the boilers")["passages"]
    assert found[0]["vector_rank"] == 1
    assert found[0]["path"].endswith("boiler.md")

    removed = chatdesk_json("kb", "remove", "Home", str(notes))
    assert (removed["documents"], removed["passages"], removed["sources"]) == (0, 0, [])
    assert chatdesk("kb", "remove", "Home").returncode == 0
    assert chatdesk_json("kb", "list")["knowledge_bases"] == []


def test_unknown_names_are_clear_errors(tmp_path: Path) -> None:
    missing = chatdesk("ask", "--kb", "Nope", "hello")
    assert missing.returncode != 0
    assert "no knowledge base called 'Nope'" in missing.stderr
    chatdesk("kb", "create", "Home")
    gone = chatdesk("kb", "add", "Home", str(tmp_path / "absent"))
    assert gone.returncode != 0
    assert "does not exist" in gone.stderr
    taken = chatdesk("kb", "create", "HOME")
    assert taken.returncode != 0
    assert "already a knowledge base" in taken.stderr


def test_a_project_and_an_assistant_answer_from_a_linked_base(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "notes")
    chatdesk("kb", "create", "Home")
    chatdesk("kb", "add", "Home", str(notes))
    linked = chatdesk("kb", "link", "Home", "--assistant", "tutor")
    assert linked.returncode == 0, linked.stderr
    assert linked.stdout.strip() == "assistant 'Tutor' answers from Home"

    answer = chatdesk_json("ask", "--assistant", "Tutor", "What is the tyre pressure?")
    assert [s["path"] for s in answer["sources"]] == [str(notes / "car.txt")]
    unlinked = chatdesk("kb", "unlink", "Home", "--assistant", "Tutor")
    assert unlinked.stdout.strip() == "assistant 'Tutor' no longer answers from Home"
    answer = chatdesk_json("ask", "--assistant", "Tutor", "What is the tyre pressure?")
    assert answer["sources"] == []
    missing = chatdesk("kb", "link", "Home", "--project", "Garden")
    assert missing.returncode != 0
    assert "no project called 'Garden'" in missing.stderr


def test_ask_compare_prints_each_model_s_answer_and_uses_the_base(tmp_path: Path) -> None:
    notes = _notes(tmp_path / "notes")
    chatdesk("kb", "create", "Home")
    chatdesk("kb", "add", "Home", str(notes))
    shown = chatdesk(
        "ask", "--kb", "Home", "--compare", "mock/mock-1,mock/mock-2", "What is the tyre pressure?"
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("── mock-1 ──\nFrom your documents:")
    assert "\n── mock-2 ──\nFrom your documents:" in shown.stdout
    asked = chatdesk_json("ask", "--compare", "mock/mock-2,mock/mock-3", "Explain tides")
    assert asked["model"] == "mock-2"
    assert [other["model"] for other in asked["compared"]] == ["mock-3"]
    refused = chatdesk("ask", "--compare", "mock/mock-1", "Explain tides")
    assert refused.returncode == 2
    assert "compare 2 to 4 different models, not 1" in refused.stderr
