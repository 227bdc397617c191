from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk import __version__
from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import chatdesk, chatdesk_json, rows


@pytest.fixture
def database(chatdesk_home: Path) -> Path:
    return chatdesk_home / "data" / "chatdesk.db"


def test_version() -> None:
    result = chatdesk("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"chatdesk {__version__}"


def test_ask_streams_the_answer_and_keeps_it(database: Path) -> None:
    result = chatdesk("ask", "What is a B-tree?")
    assert result.returncode == 0, result.stderr
    assert result.stdout == mock_answer("What is a B-tree?").text + "\n"
    assert rows(database, "SELECT role, status FROM messages ORDER BY id") == [
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    [thread] = chatdesk_json("threads", "list")
    assert thread["title"] == "What is a B-tree?"
    assert thread["message_count"] == 2


def test_ask_says_on_stderr_that_the_offline_demo_answered() -> None:
    result = chatdesk("ask", "hello")
    assert result.returncode == 0, result.stderr
    assert result.stdout == mock_answer("hello").text + "\n"  # a pipe gets the answer alone
    said = "this answer is from the built-in offline demo, not a model"
    assert [line for line in result.stderr.splitlines() if said in line] == [
        "chatdesk: this answer is from the built-in offline demo, not a model; connect one "
        "with `chatdesk providers add` or in the window."
    ]
    german = chatdesk("ask", "hallo", env={"CHATDESK_UI_LANGUAGE": "de"})
    assert german.returncode == 0, german.stderr
    assert said not in german.stderr
    assert "Demo" in german.stderr


def test_threads_alone_lists_the_threads() -> None:
    chatdesk_json("ask", "What is a B-tree?")
    alone = chatdesk("threads")
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout == chatdesk("threads", "list").stdout
    assert "What is a B-tree?" in alone.stdout


def test_threads_help_reads_as_listing_by_default() -> None:
    helped = chatdesk("threads", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "ACTION" not in helped.stdout  # nothing has to follow `threads`
    assert "[command]" in helped.stdout
    assert "Alone, or with the options of list, lists threads" in " ".join(helped.stdout.split())
    chatdesk_json("ask", "What is a B-tree?")
    assert chatdesk_json("threads", "--pinned") == []  # listing's options, without `list`
    assert [t["title"] for t in chatdesk_json("threads", "--limit", "1")] == ["What is a B-tree?"]


def test_ask_json_and_continuing_a_thread() -> None:
    first = chatdesk_json("ask", "one")
    assert first["status"] == "complete"
    assert first["content"] == mock_answer("one").text
    assert first["usage"]["completion_tokens"] > 0
    second = chatdesk_json("ask", "two", "--thread", first["thread_id"][:13])
    assert second["thread_id"] == first["thread_id"]
    shown = chatdesk_json("threads", "show", first["thread_id"])
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant"] * 2
    assert shown["messages"][2]["content"] == "two"


def test_ask_reads_stdin() -> None:
    result = chatdesk("ask", "-", "--json", stdin="from a pipe ✓\n".encode())
    assert result.returncode == 0, result.stderr
    assert '"status": "complete"' in result.stdout


def test_a_provider_error_keeps_the_partial_and_fails_clearly(database: Path) -> None:
    result = chatdesk("ask", "boom", env={"CHATDESK_MOCK_FAULT": "error_after:7"})
    assert result.returncode == 1
    assert result.stderr.strip().startswith("chatdesk: error: answer failed:")
    assert "partial answer was saved" in result.stderr
    [(status, content)] = rows(
        database, "SELECT status, content FROM messages WHERE role = 'assistant'"
    )
    assert status == "error"
    assert content
    assert mock_answer("boom").text.startswith(content)
    assert result.stdout.rstrip("\n") == content


def test_threads_rename_delete_restore() -> None:
    answer = chatdesk_json("ask", "title me")
    short = answer["thread_id"][:8]
    renamed = chatdesk_json("threads", "rename", short, "Renamed")
    assert renamed["title"] == "Renamed"
    assert chatdesk("threads", "delete", short).returncode == 0
    assert chatdesk_json("threads", "list") == []
    assert [t["title"] for t in chatdesk_json("threads", "list", "--deleted")] == ["Renamed"]
    assert chatdesk_json("threads", "restore", short)["deleted"] is False
    plain = chatdesk("threads", "list")
    assert "Renamed" in plain.stdout


def test_db_check_backup_upgrade(tmp_path: Path) -> None:
    chatdesk_json("ask", "something to keep")
    check = chatdesk_json("db", "check")
    assert check["integrity"] == "ok"
    assert check["up_to_date"] is True
    target = tmp_path / "copy.db"
    made = chatdesk_json("db", "backup", str(target))
    assert made["verified"] is True
    assert rows(target, "SELECT content FROM messages WHERE role = 'user'") == [
        ("something to keep",)
    ]
    again = chatdesk("db", "backup", str(target))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    upgraded = chatdesk_json("db", "upgrade")
    assert upgraded["revision"] == check["head"]


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (("ask", ""), None, 2, "the message is empty"),
        (("ask", "  \n "), None, 2, "the message is empty"),
        (("ask", "-"), b"x" * 10_000_000, 2, "the limit is 2,000,000"),
        (("ask", "-"), b"caf\xe9 au lait", 2, "not valid UTF-8 (byte 0xe9 at offset 3)"),
        (("ask", "hi", "--thread", "0123456789ab"), None, 1, "no thread matches"),
        (("threads", "show", "nope"), None, 1, "no thread matches"),
        (("ask", "hi", "--provider", "nope"), None, 1, "no provider named 'nope'"),
        (("ask", "-"), b"before\x00after", 2, "NUL character"),
    ],
)
def test_bad_input_is_one_clear_line_and_loses_nothing(
    database: Path, args: tuple[str, ...], stdin: bytes | None, code: int, message: str
) -> None:
    chatdesk_json("ask", "keep me")
    before = rows(database, "SELECT id, status, content FROM messages ORDER BY id")
    threads = rows(database, "SELECT id, title, message_count, deleted_at FROM threads ORDER BY id")
    result = chatdesk(*args, stdin=stdin)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chatdesk: error:")
    assert message in lines[0]
    assert rows(database, "SELECT id, status, content FROM messages ORDER BY id") == before
    # No empty "New chat" is left behind by a message that was refused.
    after = rows(database, "SELECT id, title, message_count, deleted_at FROM threads ORDER BY id")
    assert after == threads


def test_unusable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = chatdesk("--data-dir", str(blocker / "data"), "ask", "hello")
    assert result.returncode == 1
    assert result.stderr.startswith("chatdesk: error: cannot use folder")
    assert "--data-dir" in result.stderr
    assert blocker.read_text() == "not a folder"


def test_bad_settings_are_warned_about_and_defaults_used(chatdesk_home: Path) -> None:
    config = chatdesk_home / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[chat]\ncontext_messages = 0\n")
    result = chatdesk("ask", "hello", "--json")
    assert result.returncode == 0
    said = "setting chat.context_messages: 0 is below the minimum 1; using the default"
    assert result.stderr.count(said) == 1  # said once, not as a log line and again as a warning
    assert f"chatdesk: warning: {said}" in result.stderr
    assert said in (chatdesk_home / "log" / "chatdesk.log").read_text()  # and kept in the log


def test_ctrl_c_stops_the_answer_and_keeps_the_partial(database: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "ask", "long story"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CHATDESK_MOCK_TOKENS_PER_SECOND": "20"},
    )
    assert process.stdout is not None
    assert process.stdout.read(1)  # streaming has begun
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "answer interrupted" in err.decode()
    [(status, content)] = rows(
        database, "SELECT status, content FROM messages WHERE role = 'assistant'"
    )
    assert status == "interrupted"
    assert content
    assert mock_answer("long story").text.startswith(content)
    assert content != mock_answer("long story").text


def test_message_text_stays_out_of_the_log(chatdesk_home: Path) -> None:
    secret = "my bank PIN is 4921"
    result = chatdesk("ask", secret, env={"CHATDESK_LOGGING_LEVEL": "DEBUG"})
    assert result.returncode == 0
    log = (chatdesk_home / "log" / "chatdesk.log").read_text()
    assert "answer" in log  # debug logging did happen
    assert "4921" not in log


@pytest.mark.parametrize(
    ("language", "count", "limit"),
    [
        ("en", "12,346", "1,000"),
        ("de", "12.346", "1.000"),
        ("fr", "12\u202f346", "1\u202f000"),
        ("ar", "١٢٬٣٤٦", "١٬٠٠٠"),
        ("ja", "12,346", "1,000"),
    ],
)
def test_counts_are_grouped_as_the_users_language_groups_them(
    language: str, count: str, limit: str
) -> None:
    result = chatdesk(
        "ask",
        "-",
        stdin=b"x" * 12_345 + b"\n",
        env={"CHATDESK_UI_LANGUAGE": language, "CHATDESK_CHAT_MAX_MESSAGE_CHARS": "1000"},
    )
    assert result.returncode == 2
    [said] = result.stderr.splitlines()
    assert count in said
    assert limit in said
    if language == "en":  # the English words as they always were
        assert said == (
            "chatdesk: error: the message is 12,346 characters long; the limit is 1,000 "
            "(setting chat.max_message_chars). Nothing was sent."
        )
