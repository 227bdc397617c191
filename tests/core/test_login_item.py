"""Starting at login: the autostart entry written for real (and checked by desktop-file-validate),
the LaunchAgent read back with plistlib, the Run key's command line parsed back as Windows
parses it (the registry itself is written only on Windows: tested there)."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk.core import login_item
from chatdesk.core.login_item import LoginItemFailed, apply, login_command

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

ODD = ["/opt/my apps/chatdesk $HOME/bin", "--tray"]  # a folder with a space and a dollar


def _validator() -> str | None:
    found = shutil.which("desktop-file-validate")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("desktop-file-validate is missing (.ci/install-desktop-validators)")
    return found


def _exec_arguments(value: str) -> list[str]:
    """An Exec key's arguments as a launcher reads them: the string's escapes first, then the
    quoting (a backslash in quotes escapes the next character), then %% as %."""
    value = value.replace("\\\\", "\\")
    arguments: list[str] = []
    current, quoted, escaped, started = "", False, False, False
    for char in value:
        if escaped:
            current, escaped = current + char, False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started or current:
                arguments.append(current.replace("%%", "%"))
            current, started = "", False
        else:
            current += char
    arguments.append(current.replace("%%", "%"))
    return arguments


def test_command_is_how_chatdesk_was_started(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "chatdesk"
    assert login_command(str(script), frozen=False) == [str(script), "--tray"]
    exe = str(tmp_path / "chatdesk.exe")
    assert login_command(exe, frozen=False) == [exe, "--tray"]
    module = "/x/chatdesk/__main__.py"
    assert login_command(module, executable="/py", frozen=False) == [
        "/py",
        "-m",
        "chatdesk",
        "--tray",
    ]
    assert login_command("anything", executable="/app/chatdesk", frozen=True) == [
        "/app/chatdesk",
        "--tray",
    ]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG entry is Linux's")
def test_linux_autostart_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = tmp_path / "config" / "autostart" / "io.github.chatdesk.Chatdesk.desktop"
    apply(True, ODD)
    text = entry.read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    # The string escape undone, the Exec quoting parses back to the same arguments.
    assert _exec_arguments(exec_line.removeprefix("Exec=")) == ODD
    validator = _validator()
    if validator is not None:
        checked = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
        assert not checked.stdout.strip()
    apply(True, ["/usr/bin/chatdesk", "--tray"])  # written again: the newer command wins
    assert "Exec=/usr/bin/chatdesk --tray\n" in entry.read_text()
    apply(False)
    assert not entry.exists()
    apply(False)  # nothing to remove is not a failure


def test_macos_launch_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    apply(True, ODD, platform="darwin")
    agent = tmp_path / "Library" / "LaunchAgents" / "io.github.chatdesk.Chatdesk.plist"
    read = plistlib.loads(agent.read_bytes())
    assert read["Label"] == "io.github.chatdesk.Chatdesk"
    assert read["ProgramArguments"] == ODD
    assert read["RunAtLoad"] is True
    assert read["KeepAlive"] is False
    apply(False, platform="darwin")
    assert not agent.exists()


def test_windows_run_value_is_one_command_line() -> None:
    command = [r"C:\Program Files\chatdesk\chatdesk.exe", "--tray"]
    value = login_item.run_value(command)
    assert value == r'"C:\Program Files\chatdesk\chatdesk.exe" --tray'


@pytest.mark.skipif(sys.platform != "win32", reason="the Run key is in Windows' registry")
def test_windows_run_key_written_and_removed() -> None:
    command = [sys.executable, "-m", "chatdesk", "--tray"]
    try:
        apply(True, command)
        assert login_item.run_value_now() == login_item.run_value(command)
    finally:
        apply(False)
    assert login_item.run_value_now() is None


@pytest.mark.skipif(sys.platform == "win32", reason="file permissions as POSIX has them")
def test_a_folder_that_cannot_be_written_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "config"
        blocker.write_text("a file where the folder should be")
    else:
        blocker = tmp_path / "config"
        blocker.mkdir()
        blocker.chmod(0o500)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    with pytest.raises(LoginItemFailed, match="starts at login"):
        apply(True, ["/usr/bin/chatdesk", "--tray"], platform="linux")
