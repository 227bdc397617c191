"""The global shortcut on Wayland, through the desktop portal (chatdesk/ui/desktop/
shortcut_portal.py), against the real xdg-desktop-portal frontend: a `dbus-daemon` of the test's
own, the frontend (`/usr/libexec/xdg-desktop-portal`, Debian's xdg-desktop-portal) started on it
with a `.portal` file that names the test's desktop backend (tests/ui/portal_backend.py: what
KDE's or GNOME's backend does, the user's choices in its dialog made by the test), and the
running chatdesk's Desktop wired as the application wires it, in a Wayland session
(WAYLAND_DISPLAY; Qt itself draws offscreen). What a user notices is asserted: what Preferences
says the desktop bound, the quick window opening when the desktop says the keys were pressed,
the desktop asked again for new keys, a refusal said, the session closed at quit.

The last test runs the shortcut in a program of its own (tests/ui/shortcut_app.py) on Qt's real
Wayland platform, under a real compositor (Weston, headless), as the application runs it on its
asyncio loop.

The bus has no service files, so nothing is started behind the test's back; where there is no
dbus-daemon, frontend or Weston the tests skip, except in CI (`.ci/install-debian-parts`)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.desktop.shortcut import GlobalShortcut, State
from chatdesk.ui.main_window import MainWindow
from tests.ui import desktop_parts
from tests.ui.desktop_parts import needed
from tests.ui.portal_backend import DESKTOP, ShortcutsBackend, portal_files

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the desktop portal: Linux")

APP = Path(__file__).with_name("shortcut_app.py")
FRONTEND = "/usr/libexec/xdg-desktop-portal"


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A session bus of this test's own, without service files (nothing is started on it but
    what the test starts), in a Wayland session."""
    with desktop_parts.session_bus(tmp_path) as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-chatdesk-test")  # read, never connected
        yield address


@pytest.fixture
def backend(
    session_bus: str, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> Iterator[ShortcutsBackend]:
    """The desktop's portal backend, on the bus before the frontend looks for it."""
    served = ShortcutsBackend()
    ready = qloop.create_future()
    task = qloop.create_task(served.serve(ready))
    qtbot.waitUntil(ready.done)
    yield served
    task.cancel()
    qtbot.waitUntil(task.done)


@pytest.fixture
def portal(
    backend: ShortcutsBackend, session_bus: str, tmp_path: Path, qtbot: QtBot
) -> Iterator[ShortcutsBackend]:
    """The real xdg-desktop-portal frontend on the bus, using `backend` for this desktop."""
    yield from _frontend(backend, portal_files(tmp_path / "portals"), tmp_path, qtbot)


@pytest.fixture
def portal_without_shortcuts(
    backend: ShortcutsBackend, session_bus: str, tmp_path: Path, qtbot: QtBot
) -> Iterator[ShortcutsBackend]:
    """The real frontend, for a desktop whose backend implements another portal only (as
    GNOME's did before GNOME 48): it offers no GlobalShortcuts."""
    folder = portal_files(tmp_path / "portals", "org.freedesktop.impl.portal.Inhibit")
    yield from _frontend(backend, folder, tmp_path, qtbot)


def _frontend(
    backend: ShortcutsBackend, folder: Path, tmp_path: Path, qtbot: QtBot
) -> Iterator[ShortcutsBackend]:
    frontend = needed(FRONTEND, "xdg-desktop-portal")
    env = dict(os.environ, XDG_DESKTOP_PORTAL_DIR=str(folder), XDG_CURRENT_DESKTOP=DESKTOP)
    with (tmp_path / "portal.log").open("w", encoding="utf-8") as log:  # what it said, if asked
        process = subprocess.Popen(
            [frontend, "--verbose"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
    # its backend answers on the test's loop, so the frontend's start is waited for with Qt's
    # events (and the loop) running
    qtbot.waitUntil(lambda: _owned("org.freedesktop.portal.Desktop"))
    yield backend
    process.terminate()
    process.wait()


def _owned(name: str) -> bool:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus="SESSION") as connection:
        return bool(connection.send_and_get_reply(message_bus.NameHasOwner(name)).body[0])


def with_keys(window: MainWindow, keys: str) -> None:
    """As Preferences ▸ Desktop applies other keys."""
    current = window.settings.current
    window.settings.apply(replace(current, desktop=replace(current.desktop, quick_shortcut=keys)))


def started(window: MainWindow, core: Core) -> tuple[Desktop, GlobalShortcut]:
    desktop = Desktop(window, core)
    desktop.start(core)
    assert desktop.shortcut is not None
    return desktop, desktop.shortcut


def _bound(qtbot: QtBot, shortcut: GlobalShortcut, portal: ShortcutsBackend, binds: int) -> None:
    qtbot.waitUntil(lambda: len(portal.asked("BindShortcuts")) == binds)
    qtbot.waitUntil(lambda: shortcut.state is State.REGISTERED)


def test_the_desktop_binds_the_keys_and_they_open_the_quick_window(
    portal: ShortcutsBackend,
    attached_window: tuple[MainWindow, Core],
    qtbot: QtBot,
    finish: Any,
) -> None:
    window, core = attached_window
    portal.trigger = "Ctrl+Alt+K"  # the user chose other keys in the desktop's dialog
    desktop, shortcut = started(window, core)
    assert shortcut.state is State.ASKING  # the desktop answers later
    assert "Asking the desktop for Ctrl+Alt+Space" in shortcut.status()
    _bound(qtbot, shortcut, portal, 1)
    (_, session, shortcuts, _, _) = portal.asked("BindShortcuts")[0]
    assert shortcuts == [
        (
            "quick-ask",
            {
                "description": ("s", "Open chatdesk's quick window (Quick ask)"),
                "preferred_trigger": ("s", "CTRL+ALT+space"),
            },
        )
    ]
    assert portal.sessions == [session]
    window.settings.open_preferences()
    dialog = window.settings.dialog
    assert dialog is not None
    status = dialog.desktop.shortcut_status
    assert status.text() == (
        "The desktop bound Ctrl+Alt+K instead of the keys set here: they open the quick window "
        "from any program (the desktop's keyboard settings can change them)."
    )

    finish(portal.press())  # the desktop says its keys were pressed
    qtbot.waitUntil(lambda: desktop.quick is not None and desktop.quick.window.isVisible())
    assert desktop.quick is not None
    desktop.quick.window.hide()

    finish(portal.change("Super+Q"))  # the user changed them in the desktop's settings
    qtbot.waitUntil(lambda: "The desktop bound Super+Q instead" in status.text())
    finish(portal.change("Ctrl + Alt + Space"))  # and back to the keys set here
    qtbot.waitUntil(lambda: status.text().startswith("Ctrl + Alt + Space opens the quick"))
    dialog.close()
    desktop.close()
    finish(desktop.aclose())
    assert portal.closed == [session]  # the portal told the desktop: the session ended


def test_new_keys_ask_again_in_a_new_session_and_none_close_it(
    portal: ShortcutsBackend,
    attached_window: tuple[MainWindow, Core],
    qtbot: QtBot,
    finish: Any,
) -> None:
    window, core = attached_window
    desktop, shortcut = started(window, core)
    _bound(qtbot, shortcut, portal, 1)
    first = portal.sessions[0]
    assert "CTRL + ALT + space opens" in shortcut.status()  # the desktop's own words for them

    with_keys(window, "Meta+Shift+K")
    _bound(qtbot, shortcut, portal, 2)
    assert portal.asked("BindShortcuts")[1][2][0][1]["preferred_trigger"] == (
        "s",
        "SHIFT+LOGO+k",
    )
    qtbot.waitUntil(lambda: portal.closed == [first])  # a session binds once: a new one
    assert len(portal.sessions) == 1
    assert "SHIFT + LOGO + k opens" in shortcut.status()

    finish(portal.press())  # the keys of the session now open
    qtbot.waitUntil(lambda: desktop.quick is not None and desktop.quick.window.isVisible())

    second = portal.sessions[0]
    with qtbot.waitSignal(shortcut.status_changed):
        with_keys(window, "")  # switched off
    assert shortcut.state is State.OFF
    qtbot.waitUntil(lambda: portal.closed == [first, second])
    assert portal.sessions == []
    desktop.close()
    finish(desktop.aclose())


@pytest.mark.parametrize(
    ("response", "said"),
    [
        (1, "The desktop's dialog was cancelled: chatdesk has no shortcut."),
        (2, "The desktop refused chatdesk a shortcut."),
    ],
)
def test_a_refusal_is_said_and_nothing_breaks(
    portal: ShortcutsBackend,
    attached_window: tuple[MainWindow, Core],
    qtbot: QtBot,
    finish: Any,
    response: int,
    said: str,
) -> None:
    window, core = attached_window
    portal.response = response
    desktop, shortcut = started(window, core)
    qtbot.waitUntil(lambda: shortcut.state is State.REFUSED)
    status = shortcut.status()
    assert status.startswith(said + " To ask again, choose keys here again; or bind")
    assert "--quick" in status
    qtbot.waitUntil(lambda: portal.sessions == [])  # the session without a shortcut closed

    portal.response = 0  # the user says yes this time
    with_keys(window, "Ctrl+Alt+J")
    _bound(qtbot, shortcut, portal, 2)
    assert "CTRL + ALT + j opens" in shortcut.status()
    desktop.close()
    finish(desktop.aclose())
    assert portal.sessions == []


def test_without_the_portal_the_status_says_how_to_bind_the_command(
    backend: ShortcutsBackend,  # a desktop backend, but no portal frontend on the bus
    attached_window: tuple[MainWindow, Core],
    qtbot: QtBot,
    finish: Any,
) -> None:
    window, core = attached_window
    desktop, shortcut = started(window, core)
    qtbot.waitUntil(lambda: shortcut.state is State.UNSUPPORTED)
    assert shortcut.status().startswith(
        "This Wayland desktop does not let programs set shortcuts of their own. To open the "
        "quick window from anywhere, bind “"
    )
    with qtbot.waitSignal(shortcut.status_changed):
        with_keys(window, "Ctrl+Alt+J")  # not asked again: the session has no portal
    assert shortcut.state is State.UNSUPPORTED
    assert backend.calls == []
    desktop.close()
    finish(desktop.aclose())


def test_a_portal_without_global_shortcuts_is_said_so(
    portal_without_shortcuts: ShortcutsBackend,
    attached_window: tuple[MainWindow, Core],
    qtbot: QtBot,
    finish: Any,
) -> None:
    window, core = attached_window
    desktop, shortcut = started(window, core)
    qtbot.waitUntil(lambda: shortcut.state is State.UNSUPPORTED)
    assert shortcut.status().startswith("This Wayland desktop does not let programs set shortcuts")
    assert "--quick" in shortcut.status()
    assert portal_without_shortcuts.asked("CreateSession") == []
    desktop.close()
    finish(desktop.aclose())


@pytest.fixture
def weston(tmp_path: Path, qtbot: QtBot) -> Iterator[dict[str, str]]:
    """A real Wayland compositor without a screen; the environment of its clients."""
    compositor = needed("weston", "weston")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": "wayland-chatdesk"}
    process = subprocess.Popen(
        [
            compositor,
            "--backend=headless-backend.so",
            "--shell=kiosk-shell.so",
            "--no-config",
            "--idle-time=0",
            f"--socket={env['WAYLAND_DISPLAY']}",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    qtbot.waitUntil((runtime / "wayland-chatdesk.lock").exists)
    qtbot.waitUntil((runtime / "wayland-chatdesk").exists)
    yield env
    process.terminate()
    process.wait()


class Program:
    """shortcut_app.py on Wayland; its printed lines, read as they come."""

    def __init__(self, wayland: dict[str, str], *args: str) -> None:
        env = {**os.environ, **wayland, "QT_QPA_PLATFORM": "wayland"}
        env.pop("DISPLAY", None)
        self.process = subprocess.Popen(
            [sys.executable, str(APP), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def said(self, start: str) -> list[str]:
        return [line for line in self.lines if line.startswith(start)]

    def ended(self) -> int:
        """Its exit code, once it ended and said everything."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        code = self.process.wait()
        self._reader.join()
        self.process.stdout.close()
        return code

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()


def test_on_qt_wayland_the_desktop_holds_the_keys(
    portal: ShortcutsBackend, weston: dict[str, str], qtbot: QtBot, finish: Any
) -> None:
    program = Program(weston, "portal", "Ctrl+Alt+Space")
    qtbot.waitUntil(lambda: bool(program.said("status registered")))
    assert program.lines[0] == "platform wayland"  # Qt on the compositor, not offscreen
    assert program.said("status asking Asking the desktop for Ctrl+Alt+Space.")
    assert program.said("status registered CTRL + ALT + space opens the quick window")

    finish(portal.press(token="activation-42"))  # with the leave to take the focus
    qtbot.waitUntil(lambda: bool(program.said("pressed")))
    assert program.said("pressed") == ["pressed activation-42"]  # for Qt's next activation

    first = portal.sessions[0]
    program.tell("keys Ctrl+Alt+J")
    qtbot.waitUntil(lambda: bool(program.said("status registered CTRL + ALT + j")))
    assert portal.closed == [first]
    second = portal.sessions[0]
    program.tell("quit")
    qtbot.waitUntil(lambda: program.said("closed") == ["closed"])
    assert portal.closed == [first, second]  # Session.Close before it ended
    assert program.ended() == 0
