"""One running chatdesk per data folder, with real processes: the real `chatdesk` window
offscreen on CHATDESK_HOME, and second starts that hand it their request and exit. What the
first did is read where a user's chatdesk keeps it: a link's prompt is the new chat's draft in
the database (never a sent message), and the log says what was asked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chatdesk.core import handover
from tests.e2e.cli import rows

WAIT_S = 240.0  # a window start on a busy machine; the conditions below end the waits


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """`start(*args)`: the real `chatdesk` in a process of its own (killed after the test)."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        out = tmp_path / f"chatdesk-{len(processes)}.out"
        with out.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "chatdesk", *args],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


def _second(*args: str) -> subprocess.CompletedProcess[str]:
    """A second start, as the desktop runs it; `-X importtime` says what it loaded."""
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "chatdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


# `chatdesk.launch.main` as the script of the `chatdesk` command calls it (pip 25 and uv write
# one that imports nothing else), and what a bare Python start imports, to compare with
_ENTRY = "import sys; from chatdesk.launch import main; sys.exit(main())"
_HANDOVER_MODULES = {"chatdesk", "chatdesk.launch", "chatdesk.core", "chatdesk.core.handover"}


def _imported(*argv: str) -> set[str]:
    """The modules a Python start with `argv` imported (`-X importtime`); it must exit 0."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split("|") for line in result.stderr.splitlines()]
    return {line[2].strip() for line in lines if len(line) == 3 and line[0].startswith("import")}


def _until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def _listening(home: Path) -> bool:
    return (home / "data" / "run" / "instance.address").is_file()


def _new_chat_draft(home: Path) -> str:
    database = home / "data" / "chatdesk.db"
    if not database.is_file():
        return ""
    try:
        found = rows(database, "SELECT text FROM drafts WHERE key = 'new'")
    except Exception:  # not made yet (the first start migrates it)
        return ""
    return str(found[0][0]) if found else ""


def _answers(where: str) -> bool:
    try:
        handover.send(where, handover.Request("tray"))  # asks nothing that shows
    except handover.NoInstance:
        return False
    return True


def _log(home: Path) -> str:
    log = home / "log" / "chatdesk.log"
    return log.read_text(encoding="utf-8") if log.is_file() else ""


def _handed_over(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = result.stderr
    assert "PySide6" not in loaded  # the hand-over loads nothing of Qt,
    assert "sqlalchemy" not in loaded  # nor the store
    assert "chatdesk.core.i18n" not in loaded


def test_a_second_start_hands_a_link_and_show_to_the_first(
    chatdesk_home: Path, started: Callable[..., subprocess.Popen[bytes]]
) -> None:
    first = started()
    _until(lambda: _listening(chatdesk_home), "the first chatdesk listens")

    result = _second("--open", "chatdesk:new?prompt=What%20is%20WAL%3F%0D%0A%0D%0A")
    _handed_over(result)
    _until(lambda: _new_chat_draft(chatdesk_home) == "What is WAL?", "the prompt is the draft")
    database = chatdesk_home / "data" / "chatdesk.db"
    assert rows(database, "SELECT count(*) FROM messages") == [(0,)]  # never sent by itself

    _handed_over(_second("--show"))
    _until(lambda: "a second start asked: show" in _log(chatdesk_home), "show is asked")
    # a hand-over costs a bare Python start and chatdesk's own few modules: not `re` (nor
    # `json`, which imports it), `__future__` or the `socket` module, only its C part
    extra = _imported("-c", _ENTRY, "--show") - _imported("-c", "pass")
    assert extra - {"_socket"} == _HANDOVER_MODULES
    refused = _second("--open", "file:///etc/passwd")
    _handed_over(refused)
    _until(lambda: "a link was refused: only chatdesk: links" in _log(chatdesk_home), "refused")

    # the command line works beside the window, on the same database
    listed = subprocess.run(
        [sys.executable, "-m", "chatdesk", "threads", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert first.poll() is None  # the first still runs


def test_a_missing_file_is_said_and_nothing_starts(chatdesk_home: Path) -> None:
    result = _second("--open", str(chatdesk_home / "nowhere.json"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert not (chatdesk_home / "data").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_socket_left_by_a_crash_is_taken_over(
    chatdesk_home: Path, started: Callable[..., subprocess.Popen[bytes]]
) -> None:
    crashed = started("--tray")
    _until(lambda: _listening(chatdesk_home), "the first chatdesk listens")
    crashed.send_signal(signal.SIGKILL)
    crashed.wait(timeout=60)
    where = handover.address()
    assert Path(where).exists()  # left behind, and nothing answers there

    again = started("--tray")
    lock = chatdesk_home / "data" / "run" / "instance.lock"
    _until(lambda: lock.is_file() and lock.read_text().split()[0] == str(again.pid), "locked")
    _until(lambda: _answers(where), "the new chatdesk listens where the crashed one did")
    _handed_over(_second("--open", "chatdesk:new?prompt=after%20the%20crash"))
    _until(lambda: _new_chat_draft(chatdesk_home) == "after the crash", "the new one took it")
    assert again.poll() is None


def test_starts_at_the_same_moment_end_with_exactly_one(
    chatdesk_home: Path, started: Callable[..., subprocess.Popen[bytes]]
) -> None:
    prompts = ["one", "two", "three"]
    processes = [started("--open", f"chatdesk:new?prompt={p}") for p in prompts]
    _until(lambda: sum(p.poll() is not None for p in processes) == 2, "two hand over and exit")
    [running] = [p for p in processes if p.poll() is None]
    assert [p.returncode for p in processes if p is not running] == [0, 0]
    # every prompt reached the one that runs (each after the draft it found)
    _until(
        lambda: sorted(_new_chat_draft(chatdesk_home).split("\n")) == sorted(prompts),
        "the three prompts are in the one chatdesk's new chat",
    )
    _handed_over(_second("--show"))
    assert running.poll() is None
