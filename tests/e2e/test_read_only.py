"""chatdesk on a full disk and on a drive that cannot be written: real small filesystems
(tmpfs, mounted in a mount namespace of the test's own, filled to the last byte or remounted
read-only). Every chat can still be read, every write says what is wrong and what to do, and
writing resumes once there is room, in the window without a restart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.e2e import cli, read_only_window

_ROOT = Path(__file__).resolve().parents[2]  # `python -m tests.e2e.…` runs from here

# Sourced by every scenario: a 16 MB disk holding one chat, and `run NAME ARGS…`, which runs
# chatdesk and keeps its output and exit code in $OUT/NAME.{out,err,exit}. A scenario that
# runs several commands forks them from a warm interpreter of its namespace, as the other
# end-to-end tests do (tests/e2e/warm_in_namespace.py): each saves most of a second's start.
_SETUP = textwrap.dedent(
    """
    set -u
    if [ -n "$WARM" ]; then  # it stops when this script ends, closing its stdin
        coproc WARMED { exec "$PYTHON" -m tests.e2e.warm_in_namespace serve "$WARM"; }
        read -r _ <&"${WARMED[0]}"  # listening
    fi
    mount -t tmpfs -o size=16m tmpfs "$DISK"
    export CHATDESK_HOME="$DISK/home"
    run() {
        name=$1; shift
        if [ -n "$WARM" ]; then
            "$PYTHON" -m tests.e2e.warm_in_namespace run "$WARM" "$OUT/$name" "$@"
        else
            "$PYTHON" -m chatdesk "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
        fi
        echo $? > "$OUT/$name.exit"
    }
    run first ask "written while there was room"
    fill() { dd if=/dev/zero of="$DISK/filler" bs=64k 2> /dev/null; true; }
    """
)


def _namespace() -> list[str]:
    """A command prefix that gives a scenario a mount namespace where it may mount."""
    unshare = shutil.which("unshare")
    if sys.platform == "linux" and unshare is not None:
        probe = subprocess.run([unshare, "-rm", "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [unshare, "-rm"]
    if os.environ.get("CI"):
        pytest.fail("CI needs Linux with unshare -rm (user and mount namespaces)")
    pytest.skip("needs Linux with unshare -rm (user and mount namespaces)")


class Scenario:
    def __init__(self, tmp_path: Path, script: str, *, warm: bool = False) -> None:
        self.out = tmp_path / "out"
        disk = tmp_path / "disk"
        disk.mkdir()
        self.out.mkdir()
        env = {**os.environ, "DISK": str(disk), "OUT": str(self.out), "PYTHON": sys.executable}
        env["PROGRAM"] = read_only_window.__file__
        env.pop("CHATDESK_HOME", None)
        command = [*_namespace(), "bash", "-c", _SETUP + textwrap.dedent(script)]
        warm = warm and cli.can_warm(dict(os.environ))  # as the other tests' commands are
        # the warm interpreter's socket, where its path is short enough for one
        with tempfile.TemporaryDirectory(prefix="chatdesk-warm-") as folder:
            env["WARM"] = os.path.join(folder, "socket") if warm else ""
            subprocess.run(command, env=env, check=True, timeout=240, cwd=_ROOT)
        assert self.exit("first") == 0, self.err("first")

    def exit(self, name: str) -> int:
        return int((self.out / f"{name}.exit").read_text())

    def err(self, name: str) -> str:
        return (self.out / f"{name}.err").read_text()

    def json(self, name: str) -> object:
        return json.loads((self.out / f"{name}.out").read_text())


def test_a_full_disk_shows_every_chat_refuses_writes_and_resumes_when_there_is_room(
    tmp_path: Path,
) -> None:
    seen = Scenario(
        tmp_path,
        """
        fill
        run list threads list --json
        run search search room --json
        run ask ask "written on a full disk"
        rm "$DISK/filler"
        run again ask "written once there was room again"
        run after threads list --json
        """,
        warm=True,
    )
    assert seen.exit("list") == 0, seen.err("list")
    [thread] = seen.json("list")  # type: ignore[misc]
    assert thread["title"] == "written while there was room"
    assert "is full (" in seen.err("list")  # said on every command, reading ones too
    assert seen.exit("search") == 0, seen.err("search")
    assert "written while there was room" in json.dumps(seen.json("search"))

    assert seen.exit("ask") == 1
    said = seen.err("ask")
    assert "The disk that holds your chats" in said
    assert "is full (" in said
    assert "Free at least 64.0 MB there and chatdesk saves again by itself" in said
    assert "I/O" not in said
    for name in ("list", "search", "ask"):  # a log the disk refuses is said in a line
        assert "Traceback" not in seen.err(name), seen.err(name)

    assert seen.exit("again") == 0, seen.err("again")
    titles = {t["title"] for t in seen.json("after")}  # type: ignore[attr-defined]
    assert titles == {"written while there was room", "written once there was room again"}


def test_a_drive_that_cannot_be_written_shows_every_chat_and_says_what_to_do(
    tmp_path: Path,
) -> None:
    seen = Scenario(
        tmp_path,
        """
        mount -o remount,ro "$DISK"
        run list threads list --json
        id=$("$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])' \
            < "$OUT/list.out")
        run show threads show "$id" --json
        run ask ask "written on a read-only drive"
        """,
        warm=True,
    )
    assert seen.exit("list") == 0, seen.err("list")
    [thread] = seen.json("list")  # type: ignore[misc]
    assert thread["title"] == "written while there was room"
    assert seen.exit("show") == 0, seen.err("show")
    messages = seen.json("show")["messages"]  # type: ignore[index]
    assert messages[0]["content"] == "written while there was room"
    assert messages[1]["status"] == "complete"
    assert seen.exit("ask") == 1
    said = seen.err("ask")
    assert "cannot be written (Read-only file system)" in said
    assert "move the data folder to a place you can write (--data-dir" in said


def test_a_disk_that_fills_while_chatdesk_runs_is_named_as_full(tmp_path: Path) -> None:
    seen = Scenario(
        tmp_path,
        """
        "$PYTHON" - > "$OUT/late.out" 2> "$OUT/late.err" <<'PY'
        import asyncio, os
        from chatdesk.app import build_core; from chatdesk.configuration import configure

        async def main():
            core = build_core(configure())  # there is room: opened for writing
            await core.start()
            try:
                with open(os.path.join(os.environ["DISK"], "filler"), "wb") as filler:
                    try:
                        while True:
                            filler.write(b"\\0" * 65536)
                            filler.flush()
                    except OSError:
                        pass
                try:
                    await core.service.send_new("written on a disk that filled meanwhile")
                except Exception as error:
                    print(error)
            finally:
                await core.aclose()

        asyncio.run(main())
        PY
        echo $? > "$OUT/late.exit"
        """,
    )
    assert seen.exit("late") == 0, seen.err("late")
    said = (seen.out / "late.out").read_text()
    assert "the disk that holds your chats" in said
    assert "is full (" in said
    assert "Free at least 64.0 MB there" in said
    assert "I/O" not in said


def test_the_window_on_a_full_disk_keeps_what_is_typed_and_saves_once_there_is_room(
    tmp_path: Path,
) -> None:
    seen = Scenario(
        tmp_path,
        """
        fill
        "$PYTHON" "$PROGRAM" "$DISK/filler" "$OUT" > "$OUT/window.out" 2> "$OUT/window.err"
        echo $? > "$OUT/window.exit"
        """,
    )
    assert seen.exit("window") == 0, seen.err("window")
    window = json.loads((seen.out / "window.json").read_text())
    shown, banner = window["banner"]
    assert shown
    assert "is full (" in banner
    assert "Free at least 64.0 MB there" in banner
    assert window["threads"] == 1  # every chat is listed
    assert "is full (" in window["refused"]  # sending says why it cannot
    assert window["kept"] == read_only_window.TYPED  # and the words stay in the composer
    assert window["still_open"] is True  # closing asked first, and the user kept it open
    assert window["question"] == ["What you typed cannot be saved, and closing loses it."]
    assert window["banner_after"] is False  # space freed: no restart needed
    assert window["draft"] == read_only_window.TYPED  # kept in memory, saved once it could be
    assert window["answer"] == ["complete", True]
    assert window["sent"] == read_only_window.TYPED
    assert window["threads_after"] == 2


def test_a_disk_filled_under_an_open_window_turns_it_read_only_before_the_next_send(
    tmp_path: Path,
) -> None:
    seen = Scenario(
        tmp_path,
        """
        mount -o remount,size=100m "$DISK"  # room to free past the 64 MB asked for
        "$PYTHON" "$PROGRAM" "$DISK/filler" "$OUT" fills > "$OUT/window.out" 2> "$OUT/window.err"
        echo $? > "$OUT/window.exit"
        """,
    )
    assert seen.exit("window") == 0, seen.err("window")
    window = json.loads((seen.out / "window.json").read_text())
    assert window["banner_before"] is False  # there was room when it opened
    assert "is full (" in window["banner"]  # the watch saw the disk fill: no write had failed
    assert "Free at least 64.0 MB there" in window["banner"]
    assert window["banner"] == f"⚠ {window['refused']}"  # the send was refused, in its words
    assert window["kept"] == read_only_window.TYPED  # and the words stay in the composer
    assert window["threads"] == 1  # nothing half-written
    assert window["banner_after"] is False  # space freed: no restart needed
    assert window["draft"] == read_only_window.TYPED
    assert window["answer"] == ["complete", True]
    assert window["sent"] == read_only_window.TYPED
    assert window["threads_after"] == 2
