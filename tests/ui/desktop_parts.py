"""Real desktop parts started by the tests: an X server (Xvfb) and a session bus (dbus-daemon)
of a test's own, and a watch of an X server's events to wait on. A missing part fails the test
in CI (`.ci/install-debian-parts` installs each) and skips it elsewhere, with the package to
install."""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")
HANG = 60  # seconds: catches a hang, never slowness (a busy machine passes too)

# No service files: nothing is started on the bus but what the test starts (a session bus
# from the system's configuration would start the machine's own notification server).
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def needed(part: str, package: str) -> str:
    """The path of the program (or file) `part`, from Debian's `package`."""
    found = shutil.which(part) or (part if os.access(part, os.X_OK) else None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{part} is missing (.ci/install-debian-parts installs {package})")
        pytest.skip(f"no {part} on this machine (the {package} package)")
    return found


def skip_module_without(tools: Iterable[str]) -> None:
    """Skip the whole module when one of `tools` is missing, except in CI, where its tests
    run and fail on it."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing and os.environ.get("CI") != "true":
        reason = f"needs {', '.join(missing)} (.ci/install-debian-parts)"
        pytest.skip(reason, allow_module_level=True)


@contextlib.contextmanager
def xvfb(screen: str = "800x600x24") -> Iterator[str]:
    """A real X server of its own, as ":N". Xvfb picks a free display and says it once it
    takes clients (-displayfd), so nothing waits on a guess."""
    server_program = needed("Xvfb", "xvfb")
    read, write = os.pipe()
    server = subprocess.Popen(
        [server_program, "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", screen],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as said:
        number = said.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait()


@contextlib.contextmanager
def openbox(display: str) -> Iterator[None]:
    """The openbox window manager on `display` (":N"), ended after."""
    manager = subprocess.Popen(
        [needed("openbox", "openbox"), "--sm-disable"],
        env={**os.environ, "DISPLAY": display},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        manager.terminate()
        manager.wait()


@contextlib.contextmanager
def session_bus(folder: Path) -> Iterator[str]:
    """A session bus of its own listening in `folder`, without service files; its address."""
    daemon = needed("dbus-daemon", "dbus")
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(folder=folder), encoding="utf-8")
    process = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()


class XEvents:
    """What happens on an X server (":N"), as its clients see it, so that a test waits for a
    state by asking again after each event instead of on a timer.

    `xev` on the root window prints each top-level window made, mapped, unmapped, resized,
    reparented (into a window manager's frame, a tray) or gone, and each change of the root's
    properties (the active window); each window made since is followed too, its own size and
    mapping by `xev`, its title and size hints by `xprop -spy` (which prints them once at the
    start, so a change made before it listened is not missed). Start it before the program
    whose windows it watches; `close()` ends the watchers."""

    def __init__(self, display: str) -> None:
        self._display = display
        self._streams: dict[int, subprocess.Popen[bytes]] = {}
        self._followed: set[str] = set()
        self._said = ""  # the root's events not yet read whole
        self._root = self._watch(needed("xev", "x11-utils"), "-root", "-event", "substructure")
        self._watch("xev", "-root", "-event", "property")

    def until(self, condition: Callable[[], T | None], what: str, said: Callable[[], str]) -> T:
        """What `condition` gives once it holds, asked now and after each event; never holding
        within `HANG` seconds, it fails saying `what` and then `said()`."""
        deadline = time.monotonic() + HANG
        while not (found := condition()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never happened: {what}\n{said()}")
            ready, _, _ = select.select(list(self._streams), [], [], left)
            for stream in ready:
                self._read(stream)
        return found

    def also(self, *command: str) -> None:
        """Take each output of `command` as an event too (`tail -F` of a log a program writes:
        a line written is one)."""
        self._watch(*command)

    def close(self) -> None:
        for process in self._streams.values():
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        self._streams.clear()

    def _watch(self, *command: str) -> int:
        process = subprocess.Popen(
            command,
            env={**os.environ, "DISPLAY": self._display},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdout is not None
        self._streams[process.stdout.fileno()] = process
        return process.stdout.fileno()

    def _read(self, stream: int) -> None:
        chunk = os.read(stream, 1 << 16)
        if not chunk:  # a followed window is gone: its watchers end
            process = self._streams.pop(stream)
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        elif stream == self._root:
            self._said += chunk.decode(errors="replace")
            *events, self._said = self._said.split("\n\n")
            for event in events:
                made = re.search(r"CreateNotify event.*\n\s*parent 0x\w+, window (0x\w+)", event)
                if made and made.group(1) not in self._followed:
                    self._follow(made.group(1))

    def _follow(self, window: str) -> None:
        self._followed.add(window)
        self._watch("xev", "-id", window, "-event", "structure")
        self._watch("xprop", "-spy", "-id", window, "WM_NAME", "_NET_WM_NAME", "WM_NORMAL_HINTS")


@contextlib.contextmanager
def x_events(display: str) -> Iterator[XEvents]:
    """An `XEvents` of `display`, ended after."""
    events = XEvents(display)
    try:
        yield events
    finally:
        events.close()
