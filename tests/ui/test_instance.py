"""The running chatdesk's server and its lock, in this process, with the real client
(chatdesk/core/handover.py) talking to it over a real local socket from another thread; and
what the window does with what is handed over (chatdesk/ui/desktop/hub.py, asked.py)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.core import handover
from chatdesk.core.paths import Paths
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.desktop.instance import ADDRESS_NAME, Instance, claim
from chatdesk.ui.main_window import MainWindow


@pytest.fixture
def instance(chatdesk_home: Path) -> Iterator[Instance]:
    paths = Paths.resolve()
    made = claim(paths, handover.address(), handover.Request("show"))
    assert isinstance(made, Instance)
    made.listen()
    yield made
    made.release()


def _in_thread(qtbot: QtBot, work: Callable[[], Any]) -> Any:
    """`work()` (a blocking client) on a thread while Qt's loop serves it; its result."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=60_000)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def _raw(where: str, data: bytes) -> bytes:
    """What the server answers to `data` sent as is."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(where)
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
        return received


def test_a_request_is_taken_and_acknowledged(qtbot: QtBot, instance: Instance) -> None:
    link = "chatdesk:new?prompt=hi"
    with qtbot.waitSignal(instance.received) as got:
        _in_thread(qtbot, lambda: handover.send(instance.address, handover.Request("link", link)))
    request = got.args[0]
    assert (request.kind, request.argument) == ("link", link)
    assert repr(request) == "Request('link')"  # a log never holds the prompt


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="a Unix socket's owner")
def test_the_socket_is_the_users_alone(instance: Instance) -> None:
    import os
    import stat

    mode = os.stat(instance.address).st_mode
    assert stat.S_ISSOCK(mode)
    assert mode & 0o077 == 0


@pytest.mark.skipif(not hasattr(__import__("socket"), "AF_UNIX"), reason="Unix sockets")
def test_a_socket_left_by_a_crash_is_replaced_and_nothing_is_left_beside_it(
    qtbot: QtBot,
    chatdesk_home: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The address in a folder of the test's own: a socket file left there by a chatdesk that
    crashed (bound, never removed) is replaced; the private folder the socket is made in first
    goes, and closing removes the socket."""
    import shutil
    import socket
    import tempfile

    # short, as a runtime folder is: a socket's path has room for ~100 bytes, and a test's
    # own folder under parallel workers is longer (the address would then fall back to /tmp)
    runtime = Path(tempfile.mkdtemp(prefix="run-"))
    request.addfinalizer(lambda: shutil.rmtree(runtime, ignore_errors=True))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    where = handover.address()
    assert Path(where).parent == runtime
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as crashed:
        crashed.bind(where)
    made = claim(Paths.resolve(), where, handover.Request("show"))
    assert isinstance(made, Instance)
    try:
        made.listen()
        assert [p.name for p in runtime.iterdir()] == [Path(where).name]
        with qtbot.waitSignal(made.received):
            _in_thread(qtbot, lambda: handover.send(where, handover.Request("quick")))
    finally:
        made.release()
    assert list(runtime.iterdir()) == []


@pytest.mark.skipif(not hasattr(__import__("socket"), "AF_UNIX"), reason="Unix sockets")
def test_a_request_sent_in_pieces_and_two_clients_at_once_are_each_answered(
    qtbot: QtBot, instance: Instance
) -> None:
    import socket

    def pieces() -> tuple[bytes, bytes]:
        first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        second = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with first, second:
            for sock in (first, second):
                sock.settimeout(30)
                sock.connect(instance.address)
            line = handover.Request("show").line()
            first.sendall(line[:5])
            second.sendall(line)  # the second's whole line while the first's is cut
            first.sendall(line[5:])
            return first.recv(4096), second.recv(4096)

    with qtbot.waitSignals([instance.received, instance.received]):
        answers = _in_thread(qtbot, pieces)
    assert answers == (handover.answer_line(None), handover.answer_line(None))


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"not json\n", "not JSON"),
        (b'{"v": 2, "request": "show"}\n', "version 1"),
        (b'{"v": 1, "request": "format-disk"}\n', "not one chatdesk knows"),
        (b'{"v": 1, "request": "show", "extra": 1}\n', "not one chatdesk knows"),
        (b'{"v": 1, "request": "link", "argument": 5}\n', "not one chatdesk knows"),
        (b"\xff\xfe\n", "not JSON"),
        (b"x" * (handover.MAX_LINE + 10), "too long"),  # no newline: cut at the limit
    ],
)
@pytest.mark.skipif(not hasattr(__import__("socket"), "AF_UNIX"), reason="Unix sockets")
def test_malformed_and_oversized_lines_are_refused(
    qtbot: QtBot, instance: Instance, data: bytes, said: str
) -> None:
    with qtbot.assertNotEmitted(instance.received):
        answer = _in_thread(qtbot, lambda: _raw(instance.address, data))
    assert answer.endswith(b"\n")
    assert answer.count(b"\n") == 1
    assert b'"ok": false' in answer
    assert said in answer.decode()


def test_a_second_claim_waits_for_the_first_and_hands_over(
    qtbot: QtBot, instance: Instance
) -> None:
    """The lock is held: a start that loses it hands its request to the server instead."""
    with qtbot.waitSignal(instance.received) as got:
        code = _in_thread(
            qtbot, lambda: claim(Paths.resolve(), "elsewhere", handover.Request("quick"))
        )
    assert code == 0  # found through the address written in the run folder
    assert got.args[0].kind == "quick"
    assert (Paths.resolve().run_dir / ADDRESS_NAME).read_text() == instance.address


def test_a_released_lock_is_taken_by_the_next_start(instance: Instance) -> None:
    instance.release()
    again = claim(Paths.resolve(), handover.address(), handover.Request("show"))
    assert isinstance(again, Instance)
    again.release()


# -- what the window does ------------------------------------------------------------------------


@pytest.fixture
def desktop(attached_window: tuple[MainWindow, Any]) -> tuple[Desktop, MainWindow, Any]:
    window, core = attached_window
    made = Desktop(window)
    made.start(core)
    return made, window, core


def _said(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_a_new_chat_link_fills_the_composer_and_sends_nothing(
    qtbot: QtBot, desktop: tuple[Desktop, MainWindow, Any], finish: Any
) -> None:
    hub, window, core = desktop
    hub.hand(handover.Request("link", "chatdesk:new?prompt=Summarise%20this%0A%0A"))
    qtbot.waitUntil(lambda: window.composer.text() == "Summarise this")
    assert window.current_thread_id is None  # a new chat
    assert finish(core.service.list_threads()).threads == ()  # nothing was sent


def test_a_link_with_an_unknown_assistant_says_so(
    qtbot: QtBot, desktop: tuple[Desktop, MainWindow, Any]
) -> None:
    hub, window, _ = desktop
    hub.hand(handover.Request("link", "chatdesk:new?prompt=x&assistant=Nobody%20Here"))
    qtbot.waitUntil(lambda: "No assistant is called “Nobody Here”" in _said(window))
    qtbot.waitUntil(lambda: window.composer.text() == "x")


def test_a_refused_link_is_said_in_the_status_bar(
    qtbot: QtBot, desktop: tuple[Desktop, MainWindow, Any]
) -> None:
    hub, window, _ = desktop
    hub.hand(handover.Request("link", "chatdesk:new?prompt=x%00"))
    qtbot.waitUntil(lambda: "invisible character (U+0000)" in _said(window))
    hub.hand(handover.Request("link", "file:///etc/passwd"))
    qtbot.waitUntil(lambda: "only chatdesk: links open chatdesk" in _said(window))
    hub.hand(handover.Request("link", f"chatdesk:open?thread={uuid.uuid4()}"))
    qtbot.waitUntil(lambda: "names a chat that is not here" in _said(window))


def test_an_open_link_shows_its_chat(
    qtbot: QtBot, desktop: tuple[Desktop, MainWindow, Any], finish: Any
) -> None:
    hub, window, core = desktop
    thread_id = finish(core.service.create_thread(title="Kept for later")).id
    hub.hand(handover.Request("link", f"chatdesk:open?thread={thread_id}"))
    qtbot.waitUntil(lambda: window.current_thread_id == thread_id)


def test_what_is_asked_before_the_core_waits_for_it(
    qtbot: QtBot, attached_window: tuple[MainWindow, Any]
) -> None:
    window, core = attached_window
    hub = Desktop(window)
    hub.hand(handover.Request("link", "chatdesk:new?prompt=later"))
    hub.hand(handover.Request("tray"))
    assert window.composer.text() != "later"
    assert not hub.in_tray  # the window is shown already: not hidden on purpose
    hub.start(core)
    qtbot.waitUntil(lambda: window.composer.text() == "later")
