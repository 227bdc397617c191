"""The window's minimum size on a real X server (Xvfb), in force from the first frame: chatdesk
started as the `chatdesk` command starts it, its core held back (tests/ui/first_frame_app.py),
squeezed to 320×240 by another client (xdotool) as soon as its window is mapped. What is checked
is read from the X server, as a user sees it: the size hints the window manager is given and the
window's size. Without a window manager nothing holds a window to its hints, so the window must
hold itself; with one (openbox), the hints are there when the window is mapped. The rest of the
suite runs offscreen (tests/ui/test_startup.py squeezes the window there)."""

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
APP = Path(__file__).with_name("first_frame_app.py")
TOOLS = ("Xvfb", "xdotool", "xwininfo", "xprop", "xev", "openbox")
skip_module_without(TOOLS)
SQUEEZED = (320, 240)


@pytest.fixture(params=["no window manager", "openbox"])
def manager(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def display(manager: str) -> Iterator[str]:
    """A real X server of its own, alone or managed by openbox."""
    with xvfb("1600x1000x24") as where:
        if manager == "openbox":
            with openbox(where):
                yield where
        else:
            yield where


@pytest.fixture
def events(display: str) -> Iterator[XEvents]:
    """The X server's events, watched from before chatdesk starts."""
    with x_events(display) as watched:
        yield watched


def _env(display: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **more}
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _ask(display: str, *command: str) -> str:
    """What an X client printed; empty when it failed (a window not there yet)."""
    done = subprocess.run(command, env=_env(display), capture_output=True, text=True, timeout=HANG)
    return done.stdout if done.returncode == 0 else ""


def _window(display: str) -> str | None:
    """chatdesk's main window, once mapped (its WM_CLASS is chatdesk's)."""
    found = _ask(display, "xdotool", "search", "--onlyvisible", "--class", "chatdesk").split()
    return found[0] if found else None


def _minimum(display: str, window: str) -> tuple[int, int] | None:
    """The minimum size in the window's size hints (WM_NORMAL_HINTS), None when there is none."""
    hints = _ask(display, "xprop", "-id", window, "WM_NORMAL_HINTS")
    found = re.search(r"program specified minimum size: (\d+) by (\d+)", hints)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _size(display: str, window: str) -> tuple[int, int]:
    said = _ask(display, "xwininfo", "-id", window)
    found = re.search(r"Width: (\d+)\s+Height: (\d+)", said)
    assert found is not None, said
    return int(found.group(1)), int(found.group(2))


def _title(display: str, window: str) -> str:
    return _ask(display, "xdotool", "getwindowname", window).strip()


def _at_least(size: tuple[int, int], minimum: tuple[int, int]) -> bool:
    return size[0] >= minimum[0] and size[1] >= minimum[1]


@pytest.fixture
def chatdesk(display: str, events: XEvents, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """chatdesk on `display`, its core held until a line is written to its stdin."""
    process = subprocess.Popen(
        [sys.executable, str(APP)],
        env=_env(display, CHATDESK_HOME=str(tmp_path / "home"), CHATDESK_UI_OFFLINE_DEMO="true"),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    yield process
    process.kill()
    process.wait(HANG)
    if process.stdin is not None:
        process.stdin.close()


@pytest.mark.slow("starts chatdesk on an X server of its own, twice (with and without a manager)")
def test_the_window_squeezed_as_soon_as_it_is_mapped_keeps_its_minimum_size(
    manager: str, display: str, events: XEvents, chatdesk: subprocess.Popen[str]
) -> None:
    def until(condition: Callable[[], T | None], what: str) -> T:
        return events.until(condition, what, lambda: "")

    window = until(lambda: _window(display), "chatdesk's window mapped")
    # Given when the window is mapped: a window manager reads the hints then.
    minimum = _minimum(display, window)
    assert minimum is not None
    assert _title(display, window) == "chatdesk"  # the first frame: no core attached yet

    # Alone, the X server gives the window the size asked: xdotool waits until it has it. A
    # window manager gives it what the hints allow.
    sync = ["--sync"] if manager == "no window manager" else []
    subprocess.run(
        ["xdotool", "windowsize", *sync, window, *map(str, SQUEEZED)],
        env=_env(display),
        check=True,
        timeout=HANG,
    )

    until(lambda: _at_least(_size(display, window), minimum), "the window at its minimum")
    assert _title(display, window) == "chatdesk"  # still before the core attached
    assert chatdesk.stdin is not None
    chatdesk.stdin.write("\n")  # the core may open now
    chatdesk.stdin.flush()
    until(lambda: _title(display, window).endswith(" — chatdesk"), "the core attached")
    grown = _minimum(display, window)  # the controls shown with the core may need more
    assert grown is not None
    assert _at_least(grown, minimum)
    until(lambda: _at_least(_size(display, window), grown), "the window at its minimum")
