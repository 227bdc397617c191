"""The global shortcut on a real X server (Xvfb): chatdesk's shortcut held by one program
(tests/ui/shortcut_app.py), the focus in another program's window, real key presses from
xdotool (XTEST). The rest of the suite runs offscreen; these programs run on the X server."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.desktop_parts import skip_module_without, xvfb

APP = Path(__file__).with_name("shortcut_app.py")
HANG = 60  # seconds: catches a hang, never slowness (a busy machine passes too)
TOOLS = ("Xvfb", "xdotool")
skip_module_without(TOOLS)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A real X server of its own."""
    with xvfb() as where:
        yield where


class Program:
    """A program on the X server whose printed lines are read as they come."""

    def __init__(
        self, display: str, *args: str, command: list[str] | None = None, **env: str
    ) -> None:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **env}
        env.pop("WAYLAND_DISPLAY", None)
        self.process = subprocess.Popen(
            command or [sys.executable, str(APP), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("")  # it ended

    def next(self, wanted: Callable[[str], bool]) -> tuple[str, list[str]]:
        """The first line `wanted` accepts, and the lines printed before it."""
        before = []
        while True:
            line = self._lines.get(timeout=HANG)
            assert line, f"the program ended; it printed {before}"
            if wanted(line):
                return line, before
            before.append(line)

    def expect(self, prefix: str) -> str:
        return self.next(lambda line: line.startswith(prefix))[0]

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait()
        self._reader.join(HANG)  # it has read to the end
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def programs(display: str) -> Iterator[Callable[..., Program]]:
    started: list[Program] = []

    def start(*args: str, command: list[str] | None = None, **env: str) -> Program:
        program = Program(display, *args, command=command, **env)
        started.append(program)
        return program

    yield start
    for program in started:
        program.end()


def press(display: str, *keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], env={**os.environ, "DISPLAY": display}, check=True)


def focused_typing(display: str, programs: Callable[..., Program]) -> Program:
    """Another program's window, holding the keyboard's focus, that says what it is typed."""
    typing = programs("type")
    window = typing.expect("ready").split()[1]
    env = {**os.environ, "DISPLAY": display}
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True)
    press(display, "a")
    typing.expect("typed 'a'")
    return typing


CTRL_ALT_SPACE = "0xc000020"  # Qt's Ctrl+Alt+Space, as the typing window prints it


def test_the_keys_reach_chatdesk_whichever_program_has_the_focus(
    display: str, programs: Callable[..., Program]
) -> None:
    held = programs("hold", "Ctrl+Alt+Space")
    status = held.expect("status")
    assert status.startswith("status registered Ctrl+Alt+Space opens the quick window")
    typing = focused_typing(display, programs)

    press(display, "ctrl+alt+space")
    held.expect("pressed")
    press(display, "b")
    _, before = typing.next(lambda line: line.startswith("typed 'b'"))
    assert not [line for line in before if CTRL_ALT_SPACE in line], "the focused window got them"

    press(display, "Num_Lock")  # with Num Lock (and Caps Lock) on, the same keys work
    press(display, "Caps_Lock")
    press(display, "ctrl+alt+space")
    held.expect("pressed")
    press(display, "Num_Lock", "Caps_Lock")

    press(display, "ctrl+alt+shift+space")  # other modifiers: not the shortcut
    press(display, "c")
    _, before = typing.next(lambda line: line.startswith("typed 'c'"))
    assert [line for line in before if "0xe000020" in line], "Ctrl+Alt+Shift+Space was taken"
    held.send("quit")
    assert held.process.wait() == 0


def test_keys_another_program_holds_are_reported_taken(
    display: str, programs: Callable[..., Program]
) -> None:
    first = programs("hold", "Ctrl+Alt+Space")
    assert first.expect("status").startswith("status registered")
    second = programs("hold", "Ctrl+Alt+Space")
    taken = second.expect("status")
    assert taken.startswith("status taken Ctrl+Alt+Space is taken by another program.")
    assert "--quick" in taken  # and how to bind chatdesk --quick instead

    first.send("quit")
    assert first.process.wait() == 0
    second.send("keys Ctrl+Alt+Space")  # asked again (Preferences applies the setting again)
    assert second.expect("status").startswith("status registered")


def test_other_keys_move_the_grab(display: str, programs: Callable[..., Program]) -> None:
    held = programs("hold", "Ctrl+Alt+Space")
    assert held.expect("status").startswith("status registered")
    typing = focused_typing(display, programs)

    held.send("keys Meta+F5")
    assert held.expect("status").startswith("status registered Meta+F5")
    press(display, "ctrl+alt+space")  # let go of: the focused window has it again
    line, _ = typing.next(lambda line: CTRL_ALT_SPACE in line)
    assert line
    press(display, "super+F5")
    held.expect("pressed")

    held.send("keys ")  # no shortcut
    assert held.expect("status").startswith("status off No shortcut is set.")
    press(display, "super+F5")
    typing.next(lambda line: "0x11000034" in line)  # Meta+F5 typed into the focused window


def test_the_keys_open_the_quick_window_of_a_running_chatdesk(
    display: str, programs: Callable[..., Program], tmp_path: Path
) -> None:
    """chatdesk itself, started as a user starts it, on the X server; its log says when it
    holds the keys (read as it is written), another program has the focus, the keys are
    pressed, and the quick window is mapped on the screen."""
    home = tmp_path / "home"
    programs(
        command=[sys.executable, "-m", "chatdesk"],
        CHATDESK_HOME=str(home),
        CHATDESK_UI_OFFLINE_DEMO="true",
    )
    log = home / "log" / "chatdesk.log"
    follow = programs(command=["tail", "-n", "+1", "-F", str(log)])
    held = follow.next(lambda line: "global shortcut 'Ctrl+Alt+Space':" in line)[0]
    assert held.endswith("registered")
    focused_typing(display, programs)

    press(display, "ctrl+alt+space")
    env = {**os.environ, "DISPLAY": display}
    found = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", "Quick ask — chatdesk"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=HANG,
    )
    assert found.stdout.split(), "no quick window was shown"
