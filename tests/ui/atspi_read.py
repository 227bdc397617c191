"""What a screen reader reads of chatdesk's window, read as one reads it: over the
accessibility bus (AT-SPI2, on D-Bus), from outside the program, with jeepney (decision 0098).

`accessible_desktop(folder)` starts a desktop of its own that a screen reader would find: a
real X server (Xvfb), a session bus, and on it the accessibility bus's launcher (at-spi2-core),
whose bus starts the registry of accessible programs. The screen reader's switch is turned on,
as Orca turns it on, so Qt's bridge comes up as it does for a user who reads with one, in a
default X11 session (no desktop's theme, font or scale settings). `Reader` walks the registry's
tree of programs and their objects, reads an object's text and the attributes of each run of
it (Qt gives the font's size in whole points, as `size`), and waits for a condition on the tree
by listening to the programs' events. `read_conversation` finds a thread's question, its answer
(once formatted) and the composer in chatdesk's window.

Run alone, it starts such a desktop with chatdesk in it (a throwaway data folder, a question
answered by the built-in mock model) and prints every text object the window shows once the
answer is formatted: its role, accessible name, sizes in points and first words. With
`--session`, it reads the desktop it runs in (its session bus's accessibility bus) instead:
every program there.

    .venv/bin/python tests/ui/atspi_read.py [QUESTION]
    .venv/bin/python tests/ui/atspi_read.py --session
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jeepney import DBusAddress, MatchRule, Properties, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

T = TypeVar("T")
HANG = 120.0  # seconds of silence: catches a hang, never slowness (a busy machine passes too)
ACCESSIBLE = "org.a11y.atspi.Accessible"
TEXT = "org.a11y.atspi.Text"
EDITABLE_TEXT = "org.a11y.atspi.EditableText"
REGISTRY = "org.a11y.atspi.Registry"
SHOWING = 25  # ATSPI_STATE_SHOWING: the object is on screen
COMPOSER = "Message"  # the composer's accessible name (chatdesk/ui/composer/widget.py)
# Where distributions put the launcher: Debian and Fedora, older Debian and Ubuntu, Arch.
LAUNCHERS = (
    "/usr/libexec/at-spi-bus-launcher",
    "/usr/lib/at-spi2-core/at-spi-bus-launcher",
    "/usr/lib/at-spi-bus-launcher",
)
# Left out of a program's environment for a default X11 session: a desktop's theme, scale and
# font settings that Qt would take up, and accessibility forced on (the switch turns it on).
NOT_DEFAULT = (
    "XDG_CURRENT_DESKTOP",
    "XDG_SESSION_DESKTOP",
    "DESKTOP_SESSION",
    "KDE_FULL_SESSION",
    "GNOME_DESKTOP_SESSION_ID",
    "QT_QPA_PLATFORMTHEME",
    "QT_STYLE_OVERRIDE",
    "QT_FONT_DPI",
    "QT_SCALE_FACTOR",
    "QT_SCREEN_SCALE_FACTORS",
    "QT_AUTO_SCREEN_SCALE_FACTOR",
    "QT_ENABLE_HIGHDPI_SCALING",
    "QT_USE_PHYSICAL_DPI",
    "QT_LINUX_ACCESSIBILITY_ALWAYS_ON",
    "QT_ACCESSIBILITY",
    "AT_SPI_BUS_ADDRESS",
    "WAYLAND_DISPLAY",
)


@dataclass(frozen=True)
class Node:
    """One accessible object: the bus name of its program and its object path there."""

    bus_name: str
    path: str


DESKTOP = Node(REGISTRY, "/org/a11y/atspi/accessible/root")


@dataclass(frozen=True)
class Run:
    """A stretch of an object's text (characters `start` to `end`) in one format."""

    start: int
    end: int
    attributes: dict[str, str]

    @property
    def points(self) -> int | None:
        """The font's size in points as the program gives it (Qt: whole points, or -1 for a
        font sized in pixels); None when it gives none."""
        size = self.attributes.get("size", "")
        return int(size) if re.fullmatch(r"-?\d+", size) else None

    @property
    def bold(self) -> bool:
        weight = self.attributes.get("weight", "")
        return weight == "bold" or (weight.isdigit() and int(weight) >= 600)


class Reader:
    """A client of the accessibility bus at `address`, as a screen reader is one. It listens to
    every object and window event the programs send (registered with the registry, which tells
    the programs someone listens), so that `until` waits on them."""

    def __init__(self, address: str) -> None:
        self._bus = open_dbus_connection(address)
        # one is enough: an event that came at all means the tree is to be read again
        self._events: deque[Any] = self._bus.filter(MatchRule(type="signal"), bufsize=1).queue
        registry = Node(REGISTRY, "/org/a11y/atspi/registry")
        for kind in ("object:", "window:"):
            self._call(registry, REGISTRY, "RegisterEvent", "s", kind)
        for interface in ("org.a11y.atspi.Event.Object", "org.a11y.atspi.Event.Window"):
            rule = MatchRule(type="signal", interface=interface)
            unwrap_msg(self._bus.send_and_get_reply(message_bus.AddMatch(rule), timeout=HANG))

    def close(self) -> None:
        self._bus.close()

    def _call(
        self, node: Node, interface: str, method: str, signature: str = "", *args: Any
    ) -> Any:
        where = DBusAddress(node.path, bus_name=node.bus_name, interface=interface)
        call = new_method_call(where, method, signature or None, args)
        return unwrap_msg(self._bus.send_and_get_reply(call, timeout=HANG))

    def _property(self, node: Node, interface: str, name: str) -> Any:
        where = DBusAddress(node.path, bus_name=node.bus_name, interface=interface)
        reply = self._bus.send_and_get_reply(Properties(where).get(name), timeout=HANG)
        return unwrap_msg(reply)[0][1]

    def children(self, node: Node) -> list[Node]:
        return [Node(*child) for child in self._call(node, ACCESSIBLE, "GetChildren")[0]]

    def role(self, node: Node) -> str:
        """Its role's name as AT-SPI spells it ("label", "text", "push button")."""
        return str(self._call(node, ACCESSIBLE, "GetRoleName")[0])

    def name(self, node: Node) -> str:
        return str(self._property(node, ACCESSIBLE, "Name"))

    def showing(self, node: Node) -> bool:
        states = self._call(node, ACCESSIBLE, "GetState")[0]
        return bool(states[SHOWING // 32] & (1 << SHOWING % 32))

    def has_text(self, node: Node) -> bool:
        return TEXT in self._call(node, ACCESSIBLE, "GetInterfaces")[0]

    def text(self, node: Node) -> str:
        return str(self._call(node, TEXT, "GetText", "ii", 0, -1)[0])

    def runs(self, node: Node) -> tuple[Run, ...]:
        """Its text's runs, first to last, each with the attributes the program gives it."""
        length = int(self._property(node, TEXT, "CharacterCount"))
        found: list[Run] = []
        offset = 0
        while offset < length:
            attributes, start, end = self._call(node, TEXT, "GetAttributes", "i", offset)
            end = max(int(end), offset + 1)  # a program that gives an empty run: on by one
            found.append(Run(int(start), end, dict(attributes)))
            offset = end
        return tuple(found)

    def type_in(self, node: Node, text: str) -> None:
        """Puts `text` into an editable object, as a screen reader's user may."""
        assert self._call(node, EDITABLE_TEXT, "SetTextContents", "s", text)[0], "not editable"

    def walk(self, node: Node = DESKTOP, depth: int = 0) -> Iterator[tuple[int, Node]]:
        """`node` and everything under it, depth first, each with its depth under `node`."""
        yield depth, node
        for child in self.children(node):
            yield from self.walk(child, depth + 1)

    def shown_texts(self, top: Node) -> Iterator[tuple[int, Node]]:
        """The objects under `top` that are on screen and hold text, with their depths."""
        for depth, node in self.walk(top):
            if self.has_text(node) and self.showing(node):
                yield depth, node

    def application(self, name: str) -> Node | None:
        """The program of that name, once it has put its tree on the bus."""
        return next((app for app in self.children(DESKTOP) if self.name(app) == name), None)

    def until(self, condition: Callable[[], T | None], what: str, said: Callable[[], str]) -> T:
        """What `condition` gives once it holds, asked again after the programs' events (one
        that comes while it is asked counts: it is asked again at once). A tree that changed
        while it was read (an object gone) is read again after the event that says so. When
        the programs fall silent for `HANG` seconds before it holds, it fails with `said()`
        (and the error of the last reading, where it failed)."""
        failed: DBusErrorResponse | None = None
        while True:
            try:
                found, failed = condition(), None
            except DBusErrorResponse as error:
                found, failed = None, error
            if found:
                return found
            try:
                self._bus.recv_until_filtered(self._events, timeout=HANG)
            except TimeoutError:
                last = f" (the last reading failed: {failed})" if failed else ""
                raise AssertionError(f"never happened: {what}{last}\n{said()}") from None
            self._events.clear()


def launcher() -> str:
    """The accessibility bus's launcher (at-spi2-core): its path, or where Debian has it."""
    return next((path for path in LAUNCHERS if os.access(path, os.X_OK)), LAUNCHERS[0])


def default_session(display: str, bus: str, runtime: Path) -> dict[str, str]:
    """The environment of a program in a default X11 session on `display`, with the session
    bus at `bus` and its runtime folder (where the accessibility bus listens) in `runtime`."""
    env = {name: value for name, value in os.environ.items() if name not in NOT_DEFAULT}
    place = {"DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": bus, "XDG_RUNTIME_DIR": str(runtime)}
    return {**env, **place, "QT_QPA_PLATFORM": "xcb"}


@contextlib.contextmanager
def accessible_desktop(
    folder: Path, screen: str = "1600x1000x24"
) -> Iterator[tuple[dict[str, str], Reader]]:
    """A desktop of its own that a screen reader reads (the module's note says what it holds):
    the environment of a program started in it, and a `Reader` of its accessibility bus."""
    from tests.ui.desktop_parts import needed, session_bus, xvfb

    program = needed(launcher(), "at-spi2-core")
    runtime = folder / "run"
    runtime.mkdir(mode=0o700)
    with xvfb(screen) as display, session_bus(folder) as bus:
        env = default_session(display, bus, runtime)
        # GSettings in memory: the switch, which the launcher keeps there, stays out of the
        # user's own settings
        settings = {**env, "GSETTINGS_BACKEND": "memory"}
        started = subprocess.Popen([program], env=settings, stdin=subprocess.DEVNULL)
        session = open_dbus_connection(bus)
        try:
            reader = Reader(_switched_on(session))
            try:
                yield env, reader
            finally:
                reader.close()
        finally:
            session.close()
            started.terminate()  # it ends the accessibility bus, and the registry with it
            started.wait()


def _switched_on(session: DBusConnection) -> str:
    """The accessibility bus's address, once its launcher is on the session bus, with the
    screen reader's switch on (a program's bridge starts when it sees it)."""
    owner = MatchRule(type="signal", sender=message_bus.bus_name, member="NameOwnerChanged")
    owner.add_arg_condition(0, "org.a11y.Bus")
    unwrap_msg(session.send_and_get_reply(message_bus.AddMatch(owner), timeout=HANG))
    with session.filter(owner) as appeared:
        reply = session.send_and_get_reply(message_bus.NameHasOwner("org.a11y.Bus"), timeout=HANG)
        if not unwrap_msg(reply)[0]:
            session.recv_until_filtered(appeared, timeout=HANG)
    status = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Status")
    switch = Properties(status).set("ScreenReaderEnabled", "b", True)
    unwrap_msg(session.send_and_get_reply(switch, timeout=HANG))
    return _bus_address(session)


def _bus_address(session: DBusConnection) -> str:
    launched = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
    reply = session.send_and_get_reply(new_method_call(launched, "GetAddress"), timeout=HANG)
    return str(unwrap_msg(reply)[0])


# -- chatdesk's conversation --------------------------------------------------------------------


def heard(text: str) -> str:
    """`text` as a reader says it: Qt's frame marks and object stand-ins left out, each run
    of white space one space."""
    return " ".join(text.translate({0xFDD0: " ", 0xFDD1: " ", 0xFFFC: " "}).split())


def words(text: str) -> list[str]:
    """The words of `text`, whether Markdown's source or its formatted text."""
    return re.findall(r"\w+", text)


@dataclass(frozen=True)
class Shown:
    """One text object on screen: its role, name, text and runs."""

    role: str
    name: str
    text: str
    runs: tuple[Run, ...]

    def sized(self) -> list[tuple[int | None, str]]:
        """Each run that holds words: its size in points and what it says."""
        found = [(run.points, heard(self.text[run.start : run.end])) for run in self.runs]
        return [(points, said) for points, said in found if words(said)]


@dataclass(frozen=True)
class Conversation:
    """What a thread's window shows of it: the question, the answer and the composer."""

    question: Shown
    answer: Shown
    composer: Node


def read_conversation(reader: Reader, app: Node, question: str, answer: str) -> Conversation | None:
    """The thread's `question` and `answer` (Markdown) as the window shows them, the answer
    formatted (its strong words in bold), and the composer; None until all are shown."""
    found: dict[str, Shown] = {}
    composer = None
    strong = set(re.findall(r"\*\*(.+?)\*\*", answer))
    for _, node in reader.shown_texts(app):
        role, name, text = reader.role(node), reader.name(node), reader.text(node)
        if name == COMPOSER and role == "text":
            composer = node
        elif heard(text) == question:
            found["question"] = Shown(role, name, text, reader.runs(node))
        elif words(text) == words(answer):
            runs = reader.runs(node)
            in_bold = {heard(text[run.start : run.end]) for run in runs if run.bold}
            if in_bold >= strong:  # formatted, not its source shown while it formats
                found["answer"] = Shown(role, name, text, runs)
    if composer is None or len(found) < 2:
        return None
    return Conversation(found["question"], found["answer"], composer)


def asked(question: str, env: dict[str, str]) -> tuple[str, str]:
    """`question` asked with chatdesk's command line: its thread's id and the answer."""
    done = subprocess.run(
        [sys.executable, "-m", "chatdesk", "ask", "--json", question],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG,
        check=True,
    )
    answer = json.loads(done.stdout)
    return answer["thread_id"], answer["content"]


@contextlib.contextmanager
def window(env: dict[str, str], thread: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """chatdesk's window started as a user starts it, showing `thread`; its output in `log`."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "chatdesk", "--open", f"chatdesk:open?thread={thread}"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.kill()
            process.wait()


# -- run alone ---------------------------------------------------------------------------------


def print_texts(reader: Reader, top: Node) -> None:
    """Every text object on screen under `top`: role, name, sizes in points and first words."""
    for depth, node in reader.shown_texts(top):
        sizes = sorted({run.points for run in reader.runs(node) if run.points is not None})
        said = heard(reader.text(node))
        size = ", ".join(f"{points} pt" for points in sizes) or "no size"
        print(f"{'  ' * depth}{reader.role(node)} {reader.name(node)!r}: {size}: {said[:60]!r}")


def _chatdesk_in_a_desktop(question: str) -> None:
    with tempfile.TemporaryDirectory(prefix="atspi-") as made:
        folder = Path(made)
        home = {
            "CHATDESK_HOME": str(folder / "home"),
            "CHATDESK_MOCK_TOKENS_PER_SECOND": "0",
            "CHATDESK_UI_LANGUAGE": "en",  # the composer found by its English name
        }
        thread, answer = asked(question, {**os.environ, **home})
        with accessible_desktop(folder) as (env, reader):
            log = folder / "window.log"
            with window({**env, **home}, thread, log):
                said = lambda: log.read_text("utf-8", "replace")[-4000:]  # noqa: E731
                app = reader.until(lambda: reader.application("chatdesk"), "chatdesk up", said)
                reader.until(
                    lambda: read_conversation(reader, app, question, answer), "the answer", said
                )
                print_texts(reader, app)


def _the_session() -> None:
    with open_dbus_connection("SESSION") as session:
        reader = Reader(_bus_address(session))
    for app in reader.children(DESKTOP):
        print(repr(reader.name(app)))
        print_texts(reader, app)


if __name__ == "__main__":
    if sys.argv[1:] == ["--session"]:
        _the_session()
    else:
        _chatdesk_in_a_desktop(" ".join(sys.argv[1:]) or "What is a paragraph?")
