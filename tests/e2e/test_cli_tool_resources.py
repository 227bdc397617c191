"""`chatdesk tools resources`, `chatdesk tools read` and `chatdesk ask --resource` as a user
runs them, against the test MCP server (tests/core/mcp_server.py) over stdio, started by the
real `chatdesk` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import chatdesk, chatdesk_json, rows
from tests.e2e.test_cli_tools import COMMAND, chatdesk_json_ask


def _added() -> None:
    added = chatdesk("tools", "add", "notes", "--", *COMMAND)
    assert added.returncode == 0, added.stderr


@pytest.mark.slow("chatdesk processes that each start the MCP server they list")
def test_a_servers_resources_are_listed(chatdesk_home: Path) -> None:
    _added()
    listed = chatdesk_json("tools", "resources", "notes")
    by_uri = {r["uri"]: r for r in listed["resources"]}
    assert by_uri["picture://blue"]["mime"] == "image/png"
    assert by_uri["note://shopping"]["title"] == "Shopping list"
    [greeting] = [t for t in listed["templates"] if t["name"] == "greeting"]
    assert greeting["parameters"] == ["person"]
    shown = chatdesk("tools", "resources", "notes")
    assert "note://shopping  Shopping list  text/plain" in shown.stdout
    assert "greeting://{person}  A greeting  (template: person)" in shown.stdout


@pytest.mark.slow("each command a chatdesk process that starts the MCP server it reads from")
def test_a_text_resource_is_printed_and_a_blob_needs_a_file(
    chatdesk_home: Path, tmp_path: Path
) -> None:
    _added()
    read = chatdesk("tools", "read", "notes", "greeting://Ann")
    assert (read.returncode, read.stdout) == (0, "Hello, Ann!\n")
    refused = chatdesk("tools", "read", "notes", "picture://blue")
    assert refused.returncode == 1
    assert "binary data (image/png); write it to a file with -o FILE" in refused.stderr
    assert refused.stdout == ""
    out = tmp_path / "blue.png"
    written = chatdesk("tools", "read", "notes", "picture://blue", "-o", str(out))
    assert written.returncode == 0, written.stderr
    assert out.read_bytes().startswith(b"\x89PNG")
    blob = tmp_path / "blob.bin"
    german = chatdesk(
        *("tools", "read", "notes", "blob://3", "-o", str(blob)),
        env={"CHATDESK_UI_LANGUAGE": "de"},
    )
    assert german.returncode == 0, german.stderr
    size = blob.stat().st_size
    assert size >= 3000
    assert f"{size:,}".replace(",", ".") in german.stderr  # German groups by dots: 3.072
    spelled = chatdesk("tools", "read", "notes", "spelled://Ann")  # text/plain, sent as a blob
    assert (spelled.returncode, spelled.stdout) == (0, "Ann, in UTF-8: ü\n")


def test_ask_attaches_a_resource_with_its_origin(chatdesk_home: Path) -> None:
    _added()
    answer = chatdesk_json_ask("what does it say?", "--resource", "notes:doc://report")
    assert answer["status"] == "complete"
    stored = rows(
        chatdesk_home / "data" / "chatdesk.db",
        "SELECT name, mime, origin_server, origin_uri, text FROM attachments",
    )
    [(name, mime, server, uri, text)] = stored
    assert (name, mime, server, uri) == ("report", "application/pdf", "notes", "doc://report")
    assert "revenue grew by nine percent" in text


def test_a_resource_without_a_server_is_refused_with_the_form(chatdesk_home: Path) -> None:
    result = chatdesk("ask", "hi", "--resource", "no-colon")
    assert result.returncode != 0
    assert "--resource takes SERVER:URI" in result.stderr
