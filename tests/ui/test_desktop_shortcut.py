"""The running chatdesk holds its global shortcut from start to close and follows Preferences
(chatdesk/ui/desktop/hub.py). Offscreen there is no desktop to hold keys on: it says so, and
how to bind `chatdesk --quick` instead; the keys themselves are tested on a real X server in
tests/ui/test_shortcut_x11.py."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.desktop.shortcut import State, quick_command
from chatdesk.ui.main_window import MainWindow


def with_keys(window: MainWindow, keys: str) -> None:
    """As Preferences ▸ Desktop applies other keys."""
    current = window.settings.current
    window.settings.apply(replace(current, desktop=replace(current.desktop, quick_shortcut=keys)))


def test_the_shortcut_follows_the_setting_from_start_to_close(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot
) -> None:
    window, _ = attached_window
    desktop = Desktop(window)
    desktop.start()
    shortcut = desktop.shortcut
    assert shortcut is not None
    assert shortcut.state is State.UNSUPPORTED  # offscreen: no desktop
    assert "offscreen" in shortcut.status()
    assert "--quick" in shortcut.status()

    with qtbot.waitSignal(shortcut.status_changed) as said:
        with_keys(window, "A")
    assert shortcut.state is State.INVALID
    assert said.args == [
        "“A” cannot open the quick window from other programs: choose one key "
        "with Ctrl or Alt (a function key may go alone)."
    ]
    with qtbot.waitSignal(shortcut.status_changed):
        with_keys(window, "")
    assert shortcut.state is State.OFF
    assert shortcut.status().startswith("No shortcut is set.")

    desktop.close()
    assert desktop.shortcut is None
    assert shortcut.tell_preferences not in window.settings.dialog_made  # no longer told
    with_keys(window, "Ctrl+Alt+Space")
    assert shortcut.state is State.OFF


def test_the_keys_ask_for_the_quick_window(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot, finish: Any
) -> None:
    window, _ = attached_window
    desktop = Desktop(window)
    desktop.start()
    assert desktop.shortcut is not None
    desktop.shortcut.pressed.emit()  # as a backend does when its keys are pressed
    qtbot.waitUntil(lambda: desktop.quick is not None and desktop.quick.window.isVisible())
    desktop.close()
    finish(desktop.aclose())


def test_preferences_show_whether_the_keys_were_taken(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot, finish: Any
) -> None:
    window, _ = attached_window
    desktop = Desktop(window)
    desktop.start()
    shortcut = desktop.shortcut
    assert shortcut is not None
    window.settings.open_preferences()
    dialog = window.settings.dialog
    assert dialog is not None
    status = dialog.desktop.shortcut_status
    assert "--quick" in status.text()  # offscreen: no desktop, and the command to bind
    with qtbot.waitSignal(shortcut.status_changed):
        with_keys(window, "")
    assert status.text().startswith("No shortcut is set.")
    dialog.close()
    desktop.close()
    finish(desktop.aclose())


def test_the_command_to_bind_is_the_quickest_way_in(tmp_path: Path) -> None:
    """`chatdesk --quick` when it is on the PATH; else the script installed with this Python's
    packages, named in full (a hand-over ~1.2× a bare Python start); `python -m chatdesk`
    (~1.6×: runpy's imports) only when there is no script."""
    join = subprocess.list2cmdline if sys.platform == "win32" else shlex.join
    scripts, elsewhere = tmp_path / "venv" / "bin", tmp_path / "elsewhere"
    scripts.mkdir(parents=True)
    elsewhere.mkdir()
    module = join([sys.executable, "-m", "chatdesk", "--quick"])
    assert quick_command(str(scripts), str(elsewhere)) == module

    script = scripts / ("chatdesk.exe" if sys.platform == "win32" else "chatdesk")
    script.write_bytes(b"#!/bin/sh\n")
    script.chmod(0o755)
    assert quick_command(str(scripts), str(elsewhere)) == join([str(script), "--quick"])
    assert quick_command(str(scripts), str(scripts)) == "chatdesk --quick"


def test_the_command_to_bind_is_this_venv_s_chatdesk_when_its_bin_is_not_on_the_path(
    tmp_path: Path,
) -> None:
    """The tests run in a venv chatdesk is installed in (pip writes its script there)."""
    import sysconfig

    name = "chatdesk.exe" if sys.platform == "win32" else "chatdesk"
    installed = os.path.join(sysconfig.get_path("scripts"), name)
    join = subprocess.list2cmdline if sys.platform == "win32" else shlex.join
    assert quick_command(search_path=str(tmp_path)) == join([installed, "--quick"])
