"""`chatdesk assistants …` and `chatdesk ask --assistant`, run as a user runs them: the real
command in a subprocess, a data folder per test, the mock provider answering offline."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import chatdesk, chatdesk_json

BUILT_IN = ["Careful writer", "Code reviewer", "Summariser", "Translator", "Tutor"]
FIELDS = (
    "name",
    "icon",
    "colour",
    "description",
    "system_prompt",
    "provider",
    "model",
    "temperature",
    "max_output_tokens",
    "tools",
    "examples",
)
PIRATE = (
    "--icon",
    "🏴",
    "--colour",
    "#AA0000",
    "--description",
    "Talks like a pirate.\nAhoy.",
    "--provider",
    "mock",
    "--model",
    "mock-2",
    "--temperature",
    "1.2",
    "--max-tokens",
    "500",
    "--tool",
    "chatdesk",
    "--example",
    "Say hello",
    "--example",
    "Tell a sea story",
)
SHOWN = (
    "colour:        #aa0000",
    "provider:      mock",
    "model:         mock-2",
    "temperature:   1.2",
    "answer length: 500 tokens",
    "tools:         chatdesk",
    "  Talks like a pirate.",
    "  Ahoy.",
    "  You are a pirate.",
    "  Answer in pirate speak.",
    "  - Say hello",
    "  - Tell a sea story",
)


def _assistants(*options: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = chatdesk_json(*options, "assistants", "list")["assistants"]
    return found


def _fields(assistant: dict[str, Any]) -> dict[str, Any]:
    return {name: assistant[name] for name in FIELDS}


def _error(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command prints."""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("chatdesk: error: ")
    return line


def test_list_shows_the_built_in_assistants() -> None:
    result = chatdesk("assistants", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("  ")[1] for line in lines] == BUILT_IN  # badge, name, description
    assert "🔍  Code reviewer  — Reviews code for bugs, security and clarity" in lines[1]
    assert [a["name"] for a in _assistants()] == BUILT_IN
    assert chatdesk("assistants").stdout == result.stdout  # no action: the list


@pytest.mark.slow("an assistant's whole life as a user types it, each step a chatdesk process")
def test_add_show_edit_rename_duplicate_and_remove(tmp_path: Path) -> None:
    prompt = tmp_path / "prompt.md"
    prompt.write_text("You are a pirate.\nAnswer in pirate speak.\n", encoding="utf-8")
    added = chatdesk_json("assistants", "add", "Pirate", "--prompt-file", str(prompt), *PIRATE)
    assert _fields(added) == {
        "name": "Pirate",
        "icon": "🏴",
        "colour": "#aa0000",
        "description": "Talks like a pirate.\nAhoy.",
        "system_prompt": "You are a pirate.\nAnswer in pirate speak.",
        "provider": "mock",
        "model": "mock-2",
        "temperature": 1.2,
        "max_output_tokens": 500,
        "tools": ["chatdesk"],
        "examples": ["Say hello", "Tell a sea story"],
    }
    assert "🏴  Pirate  [mock-2]  — Talks like a pirate." in chatdesk("assistants").stdout
    shown = chatdesk("assistants", "show", "PIRATE").stdout.splitlines()
    assert shown[0] == "🏴 Pirate"
    assert set(SHOWN) <= set(shown)

    edited = chatdesk_json(
        "assistants",
        "edit",
        "pirate",
        "--rename",
        "Buccaneer",
        "--temperature",
        "0.3",
        "--clear",
        "model",
        "--clear",
        "tools",
    )
    expected = {
        **_fields(added),
        "name": "Buccaneer",
        "temperature": 0.3,
        "model": None,
        "tools": None,
    }
    assert _fields(edited) == expected  # what was not named stays as it was
    assert edited["id"] == added["id"]
    gone = chatdesk("assistants", "show", "Pirate")
    assert gone.returncode == 1
    assert "no assistant named 'Pirate' (there are: Buccaneer, Careful writer" in _error(gone)

    copy = chatdesk_json("assistants", "duplicate", "buccaneer")
    assert _fields(copy) == {**expected, "name": "Buccaneer (copy)"}
    assert chatdesk("assistants", "remove", "Buccaneer").returncode == 0
    assert [a["name"] for a in _assistants()] == ["Buccaneer (copy)", *BUILT_IN]
    assert _fields(chatdesk_json("assistants", "show", "Buccaneer (copy)")) == _fields(copy)


def test_a_name_taken_or_nothing_to_change_is_refused() -> None:
    taken = chatdesk("assistants", "add", "tutor")
    assert taken.returncode == 2
    assert "there is already an assistant named 'Tutor'" in _error(taken)
    assert "nothing to change" in _error(chatdesk("assistants", "edit", "Tutor"))
    assert [a["name"] for a in _assistants()] == BUILT_IN


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--colour", "red"), "the colour 'red' is not of the form #RRGGBB"),
        (("--colour", "#12345"), "the colour '#12345' is not of the form #RRGGBB"),
        (("--temperature", "2.5"), "the temperature must be between 0 and 2"),
        (("--temperature", "-1"), "the temperature must be between 0 and 2"),
        (("--temperature", "nan"), "the temperature must be between 0 and 2"),
        (("--temperature", "warm"), "invalid float value: 'warm'"),
        (("--max-tokens", "0"), "the answer length must be between 1 and"),
        (("--clear", "colour", "--colour", "#000000"), "--clear colour and a new value"),
    ],
)
def test_a_bad_field_is_a_clear_error_and_changes_nothing(
    options: tuple[str, ...], message: str
) -> None:
    before = _assistants()
    edited = chatdesk("assistants", "edit", "Tutor", *options)
    assert edited.returncode == 2
    assert message in edited.stderr
    if "--clear" not in options:
        added = chatdesk("assistants", "add", "New one", *options)
        assert added.returncode == 2
        assert message in added.stderr
    assert _assistants() == before


def test_exported_assistants_come_back_in_another_data_dir(tmp_path: Path) -> None:
    chatdesk_json("assistants", "add", "Pirate", "--prompt", "Arr.", *PIRATE)
    everything, one = tmp_path / "all.json", tmp_path / "one.json"
    assert chatdesk_json("assistants", "export", str(everything))["exported"] == 6
    assert chatdesk_json("assistants", "export", str(one), "pirate")["exported"] == 1
    assert [a["name"] for a in json.loads(one.read_text())["assistants"]] == ["Pirate"]

    elsewhere = ("--data-dir", str(tmp_path / "elsewhere"))
    imported = chatdesk_json(*elsewhere, "assistants", "import", str(everything))["imported"]
    here = _assistants()
    renamed = {a["name"]: a["name"] if a["name"] == "Pirate" else f"{a['name']} (2)" for a in here}
    assert [a["name"] for a in imported] == [renamed[a["name"]] for a in here]
    for original, copy in zip(here, imported, strict=True):
        expected = {**_fields(original), "name": renamed[original["name"]]}
        assert _fields(copy) == expected
    there = {a["name"]: _fields(a) for a in _assistants(*elsewhere)}
    assert len(there) == 11
    [pirate] = [a for a in here if a["name"] == "Pirate"]
    assert there["Pirate"] == _fields(pirate) == {**_fields(pirate), "system_prompt": "Arr."}

    again = chatdesk(*elsewhere, "assistants", "import", str(one))
    assert again.returncode == 0, again.stderr
    assert again.stdout == "imported 1 assistant: 'Pirate (2)'\n"


def _file(*assistants: Any, **document: Any) -> bytes:
    whole = {"format": "chatdesk-assistants", "version": 1, "assistants": list(assistants)}
    return json.dumps({**whole, **document}).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "the file is not an assistant file (not JSON"),
        (b'{"format": "chatdesk-assistants", ', "the file is not an assistant file (not JSON"),
        (b"[" * 200_000 + b"]" * 200_000, "the file is not an assistant file (not JSON"),
        (b'{"format": "other", "assistants": []}', 'no "format": "chatdesk-assistants"'),
        (b'["chatdesk-assistants"]', 'no "format": "chatdesk-assistants"'),
        (_file({"name": "Future"}, version=9), "written by a newer chatdesk"),
        (_file(), "the file holds no assistants"),
        (_file({"name": "Big", "description": "x" * 3_000_000}), "is over 2,097,152 bytes"),
        (_file({"name": 5}), "assistant 1 of the file: name must be a text"),
        (_file({"icon": "🏴"}), "assistant 1 of the file: an assistant in the file has no name"),
        (_file("Pirate"), "assistant 1 of the file: an assistant in the file is not an object"),
        (_file({"name": "Hot", "temperature": "9"}), "temperature must be a number"),
        (_file({"name": "Hot", "temperature": 9}), "the temperature must be between 0 and 2"),
        (_file({"name": "T", "tools": "rm -rf /"}), "tools must be a list of texts"),
        (_file({"name": "T", "max_output_tokens": True}), "must be a whole number"),
        (_file({"name": "Good"}, {"name": "Bad", "colour": "javascript:"}), "assistant 2 of"),
        (_file({"name": "Two\nlines"}), "the name must be one line of text"),
    ],
)
def test_a_hostile_file_is_refused_and_adds_nothing(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "assistants.json"
    path.write_bytes(data)
    result = chatdesk("assistants", "import", str(path))
    assert result.returncode == 2
    assert message in _error(result)
    assert result.stdout == ""
    assert [a["name"] for a in _assistants()] == BUILT_IN


@pytest.mark.slow("several answers asked as chatdesk processes, each read back")
def test_ask_with_an_assistant_records_who_answered() -> None:
    answered = chatdesk("ask", "--assistant", "code REVIEWER", "hi")
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout == mock_answer("hi").text + "\n"
    [thread] = chatdesk_json("threads", "list")
    shown = chatdesk_json("threads", "show", thread["id"])
    assert [(m["role"], m["agent"]) for m in shown["messages"]] == [
        ("user", None),
        ("assistant", "Code reviewer"),
    ]
    assert "\n## assistant (Code reviewer)\n" in chatdesk("threads", "show", thread["id"]).stdout

    chatdesk_json("assistants", "add", "Pirate", *PIRATE)
    switched = chatdesk_json("ask", "--thread", thread["id"], "--assistant", "Pirate", "more")
    assert (switched["agent"], switched["model"]) == ("Pirate", "mock-2")  # its model answers
    kept = chatdesk_json("ask", "--thread", thread["id"], "and more")
    assert kept["agent"] == "Pirate"  # the chat goes on with the assistant it switched to

    assert chatdesk("assistants", "remove", "Code reviewer").returncode == 0
    agents = [m["agent"] for m in chatdesk_json("threads", "show", thread["id"])["messages"]]
    assert agents == [None, "Code reviewer", None, "Pirate", None, "Pirate"]


def test_ask_with_an_unknown_assistant_sends_nothing() -> None:
    result = chatdesk("ask", "--assistant", "Nobody", "hi")
    assert result.returncode == 1
    assert "no assistant named 'Nobody' (there are: Careful writer, Code reviewer" in (
        _error(result)
    )
    assert result.stdout == ""
    assert chatdesk_json("threads", "list") == []


def test_the_built_in_examples_survive_a_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "writer.json"
    assert chatdesk("assistants", "export", str(path), "Careful writer").returncode == 0
    [original] = [a for a in _assistants() if a["name"] == "Careful writer"]
    [copy] = chatdesk_json("assistants", "import", str(path))["imported"]
    assert copy["examples"] == original["examples"]


def test_a_name_with_a_non_ascii_capital_is_found_by_name() -> None:
    assert chatdesk("assistants", "add", "Écrivain").returncode == 0
    shown = chatdesk("assistants", "show", "Écrivain")
    assert shown.returncode == 0, shown.stderr
    assert chatdesk("assistants", "add", "écrivain").returncode == 2  # the same name


def test_a_saved_prompt_named_again_in_other_capitals_is_replaced() -> None:
    assert chatdesk("prompts", "add", "Réponse", "Answer politely.").returncode == 0
    assert chatdesk("prompts", "add", "RÉPONSE", "Answer briefly.").returncode == 0
    assert chatdesk("prompts", "list").stdout == "RÉPONSE: Answer briefly.\n"
    shown = chatdesk("prompts", "show", "réponse")
    assert shown.returncode == 0, shown.stderr
    assert "Answer briefly." in shown.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_at_once_as_an_assistant_file_and_as_a_prompt(tmp_path: Path) -> None:
    fifo = tmp_path / "assistants.json"
    os.mkfifo(fifo)  # nobody writes to it: reading it would wait forever
    imported = chatdesk("assistants", "import", str(fifo))
    assert imported.returncode == 2
    assert "not a regular file" in imported.stderr
    added = chatdesk("assistants", "add", "Piped", "--prompt-file", str(fifo))
    assert added.returncode == 2
    assert "not a regular file" in added.stderr
