"""chatdesk's tray icon in a real tray: a real X server (Xvfb) with a window manager (openbox)
and a real system tray (trayer's, the freedesktop system tray protocol), the real chatdesk
program started with `--tray`, and real clicks and keys from xdotool. What is checked is read
from outside, as a user sees it: the icon's window inside the tray's, the main window mapped or
not, the process running or ended with its exit code. The rest of the suite runs offscreen,
where Qt has no tray (tests/ui/test_tray.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.ui.desktop_parts import HANG, XEvents, openbox, skip_module_without, x_events, xvfb

T = TypeVar("T")
TOOLS = ("Xvfb", "xdotool", "xwininfo", "xprop", "xev", "openbox", "trayer")
skip_module_without(TOOLS)

TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"]
WINDOW = " — chatdesk$"  # the main window's title ends so (the chat's title before it)
QUICK = "^Quick ask — chatdesk$"  # the quick window's title


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A real X server of its own, managed by openbox (the close button is the window
    manager's: Alt+F4 asks the window to close as the title bar's button does)."""
    with xvfb("1280x800x24") as where, openbox(where):
        yield where


def _env(display: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **more}
    for name in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):  # X11's tray, not a D-Bus one
        env.pop(name, None)
    return env


def _x(display: str, *command: str) -> str:
    done = subprocess.run(
        command, env=_env(display), capture_output=True, text=True, timeout=HANG, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def events(display: str) -> Iterator[XEvents]:
    """The X server's events, watched from before any program starts on it."""
    with x_events(display) as watched:
        yield watched


def _until(
    events: XEvents, condition: Callable[[], T | None], what: str, log: Path | None = None
) -> T:
    """What `condition` gives once it holds, the X server asked again after each event (it
    says no more than its state). Never holding, it fails with chatdesk's log, where there is
    one."""

    def said() -> str:
        return log.read_text(encoding="utf-8")[-4000:] if log and log.is_file() else ""

    return events.until(condition, what, said)


def _tree(display: str, *arguments: str) -> str | None:
    """xwininfo's list of windows, or None when a window went while it was read (it then
    fails with BadWindow): asked again, it lists what is there now."""
    done = subprocess.run(
        ["xwininfo", "-root", *arguments], env=_env(display), capture_output=True, text=True
    )
    return done.stdout if done.returncode == 0 else None


@pytest.fixture
def tray(display: str, events: XEvents) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """`start()`: a system tray (trayer's panel at the screen's top right), ended after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        panel = subprocess.Popen(
            TRAYER,
            env=_env(display),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(panel)
        _until(events, lambda: _panel(display), "trayer's panel up, holding the tray")
        return panel

    yield start
    for panel in started:
        panel.terminate()
        panel.wait()


class Chatdesk:
    """The real chatdesk, started with `--tray` in a data folder of its own."""

    def __init__(
        self, display: str, events: XEvents, home: Path, *, close_to_tray: bool = False
    ) -> None:
        self.display = display
        self.events = events
        self.log = home / "log" / "chatdesk.log"
        settings = {"CHATDESK_DESKTOP_CLOSE_TO_TRAY": "true" if close_to_tray else "false"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chatdesk", "--tray"],
            env=_env(display, CHATDESK_HOME=str(home), **settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def icon(self) -> str | None:
        """The tray icon's window, where a tray holds it: a window of chatdesk's (WM_CLASS
        "chatdesk") named chatdesk, inside trayer's panel."""
        tree = _tree(self.display, "-tree")
        if tree is None:
            return None
        panel = re.search(r'^( *)0x[0-9a-f]+ "panel": \("panel" "trayer"\).*$', tree, re.M)
        if panel is None:
            return None
        inside = tree[panel.end() :].splitlines()
        depth = len(panel.group(1))
        for line in inside:
            if line.strip() and len(line) - len(line.lstrip()) <= depth:
                break  # past the panel's children
            found = re.match(r' *(0x[0-9a-f]+) "chatdesk": \("[^"]*" "chatdesk"\)', line)
            if found:
                return found.group(1)
        return None

    def docked_icon(self) -> str:
        return _until(self.events, self.icon, "chatdesk's icon in the tray", self.log)

    def window(self) -> str | None:
        """The main window, where it is shown (mapped)."""
        return _shown(self.display, WINDOW)

    def shown_window(self) -> str:
        """The main window once shown and given the focus by the window manager, which it
        does after it maps it (a menu opened before that would lose the focus to it)."""
        window = self.until_shown(WINDOW)
        self.until(lambda: _active(self.display, window), "the window in front")
        return window

    def click(self, icon: str, button: int) -> None:
        _x(self.display, "xdotool", "mousemove", "--window", icon, "8", "8", "click", str(button))

    def menu_choice(self, icon: str, key: str) -> None:
        """The tray icon's menu, opened with a right click, and an entry chosen by its key
        (the underlined letter)."""
        self.click(icon, 3)
        self.until(self._menu_open, "the tray icon's menu open")
        _x(self.display, "xdotool", "key", key)
        self.until(lambda: not self._menu_open(), "the menu closed")

    def until(self, condition: Callable[[], T | None], what: str) -> T:
        return _until(self.events, condition, what, self.log)

    def until_shown(self, title: str) -> str:
        """The window whose title matches `title`, once shown."""
        return self.until(lambda: _shown(self.display, title), f"a window named {title!r} shown")

    def _menu_open(self) -> bool:
        """A window of chatdesk's named chatdesk is shown at the top level: the menu (the
        icon's own is inside the tray's)."""
        tree = _tree(self.display, "-children") or ""
        menus = re.findall(r'(0x[0-9a-f]+) "chatdesk": \("[^"]*" "chatdesk"\)', tree)
        return any(_mapped(self.display, menu) for menu in menus)

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(HANG)


@pytest.fixture
def chatdesk(display: str, events: XEvents, tmp_path: Path) -> Iterator[Callable[..., Chatdesk]]:
    started: list[Chatdesk] = []

    def start(**settings: bool) -> Chatdesk:
        program = Chatdesk(display, events, tmp_path / f"home-{len(started)}", **settings)
        started.append(program)
        return program

    yield start
    for program in started:
        program.end()


def _panel(display: str) -> bool:
    """Whether trayer's panel, which holds the tray, is up."""
    return '("panel" "trayer")' in (_tree(display, "-tree") or "")


def _shown(display: str, title: str) -> str | None:
    """The shown window whose title matches `title` (the main window's pattern matches the
    quick window's title too: that one is left out unless asked for)."""

    def search(name: str) -> list[str]:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", name],
            env=_env(display),
            capture_output=True,
            text=True,
            timeout=HANG,
        )
        return found.stdout.split()

    windows = search(title)
    if title != QUICK:
        windows = [window for window in windows if window not in search(QUICK)]
    return windows[0] if windows else None


def _mapped(display: str, window: str) -> bool:
    """`window` is shown (False too when it is gone: a closed menu's window is destroyed)."""
    found = subprocess.run(
        ["xwininfo", "-id", window], env=_env(display), capture_output=True, text=True
    )
    return "IsViewable" in found.stdout


def _active(display: str, window: str) -> bool:
    """`window` has the focus."""
    found = subprocess.run(
        ["xdotool", "getactivewindow"], env=_env(display), capture_output=True, text=True
    )
    return found.stdout.strip() == str(int(window))


def test_the_icon_sits_in_the_tray_a_click_shows_the_window_and_quit_ends(
    tray: Callable[[], subprocess.Popen[bytes]], chatdesk: Callable[..., Chatdesk]
) -> None:
    tray()
    app = chatdesk()
    icon = app.docked_icon()  # started in the tray: the icon, no window
    assert app.window() is None

    app.click(icon, 1)  # a click shows the window
    app.shown_window()

    app.menu_choice(icon, "q")  # Quit ends chatdesk
    assert app.process.wait(HANG) == 0


def test_close_to_tray_keeps_chatdesk_and_its_icon(
    tray: Callable[[], subprocess.Popen[bytes]], chatdesk: Callable[..., Chatdesk]
) -> None:
    tray()
    app = chatdesk(close_to_tray=True)
    icon = app.docked_icon()
    app.click(icon, 1)
    window = app.shown_window()
    _x(app.display, "xdotool", "key", "alt+F4")  # the window manager's close

    app.until(lambda: not _mapped(app.display, window), "the window hidden")
    assert app.process.poll() is None  # still running
    assert app.icon() == icon  # and in the tray

    app.click(icon, 1)  # a click brings the same window back
    assert app.shown_window() == window


def test_a_tray_that_comes_after_chatdesk_takes_its_icon(
    tray: Callable[[], subprocess.Popen[bytes]], chatdesk: Callable[..., Chatdesk]
) -> None:
    """At login, chatdesk started in the tray may come before the panel."""
    app = chatdesk()
    app.events.also("tail", "-F", "-n", "+1", str(app.log))  # a line logged is an event too
    app.until(
        lambda: app.log.is_file() and "global shortcut" in app.log.read_text(encoding="utf-8"),
        "chatdesk started (its desktop parts, the tray's icon among them, made)",
    )
    assert app.icon() is None
    tray()
    icon = app.docked_icon()
    assert app.window() is None  # still in the tray, not shown
    app.click(icon, 1)
    app.shown_window()

    app.menu_choice(icon, "q")
    assert app.process.wait(HANG) == 0


def test_the_menu_opens_again_at_once_after_it_was_closed(
    tray: Callable[[], subprocess.Popen[bytes]], chatdesk: Callable[..., Chatdesk]
) -> None:
    """A right click soon after the menu closed (within the double-click interval) opens it
    again: Qt's icon in an XEmbed tray takes it as a double click (tray.py)."""
    tray()
    app = chatdesk()
    icon = app.docked_icon()
    for _ in range(2):
        app.click(icon, 3)
        app.until(app._menu_open, "the tray icon's menu open")
        _x(app.display, "xdotool", "key", "Escape")
        app.until(lambda: not app._menu_open(), "the menu closed")
    app.menu_choice(icon, "q")  # and a third time, at once too
    assert app.process.wait(HANG) == 0
