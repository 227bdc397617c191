"""Notifications on a real session bus: a `dbus-daemon` of the test's own, a notification server
served on it by the test (jeepney, on the test's loop), chatdesk pointed at it. A real answer
from the mock provider, finished while the window is hidden, arrives as a Notify call; the
server's ActionInvoked opens that chat. Where there is no dbus-daemon the tests skip, except
in CI (`.ci/install-debian-parts` brings it). The bus has no service files, so nothing else is
started on it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.desktop.notices import first_line
from chatdesk.ui.main_window import MainWindow
from tests.ui import desktop_parts

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="D-Bus notifications: Linux")

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A session bus of this test's own; DBUS_SESSION_BUS_ADDRESS points at it."""
    with desktop_parts.session_bus(tmp_path) as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@dataclass
class NotificationServer:
    """The desktop's notification server, as far as chatdesk uses it: Notify, answered with
    an id, and the ActionInvoked signal sent when asked."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    router: Any = None

    async def serve(self, ready: asyncio.Future[None]) -> None:
        from jeepney import MatchRule, MessageType, new_error, new_method_return
        from jeepney.bus_messages import message_bus
        from jeepney.io.asyncio import open_dbus_router

        async with open_dbus_router() as router:
            self.router = router
            await router.send_and_get_reply(message_bus.RequestName(NAME))
            rule = MatchRule(type="method_call", path=PATH)
            with router.filter(rule, bufsize=64) as calls:
                ready.set_result(None)
                while True:
                    call = await calls.get()
                    if call.header.message_type is not MessageType.method_call:
                        continue
                    member = call.header.fields[3]  # HeaderFields.member
                    if member == "Notify":
                        self.calls.append(call.body)
                        reply = new_method_return(call, "u", (len(self.calls),))
                    elif member == "GetCapabilities":
                        reply = new_method_return(call, "as", (["actions", "body"],))
                    else:
                        reply = new_error(call, "org.freedesktop.DBus.Error.UnknownMethod")
                    await router.send(reply)

    async def click(self, number: int) -> None:
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(PATH, interface=NAME)
        await self.router.send(new_signal(emitter, "ActionInvoked", "us", (number, "default")))


@pytest.fixture
def notification_server(
    session_bus: str, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> Iterator[NotificationServer]:
    server = NotificationServer()
    ready = qloop.create_future()
    task = qloop.create_task(server.serve(ready))
    qtbot.waitUntil(ready.done)
    yield server
    task.cancel()
    qtbot.waitUntil(task.done)


@pytest.fixture
def desktop(attached_window: tuple[MainWindow, Core]) -> Iterator[Desktop]:
    window, core = attached_window
    made = Desktop(window, core)
    made.start()
    yield made
    made.close()


def _finished_answers(core: Core) -> set[Any]:
    """The ids of the answers that finish from now on (as the core's events say)."""
    from chatdesk.core.chat import events as ev

    finished: set[Any] = set()

    def note(event: ev.Event) -> None:
        if isinstance(event, ev.MessageFinished):
            finished.add(event.message.id)

    core.service.events.subscribe(note)
    return finished


def test_an_answer_finished_while_hidden_is_notified_and_opens_its_chat(
    notification_server: NotificationServer,
    desktop: Desktop,
    attached_window: tuple[MainWindow, Core],
    finish: Any,
    qtbot: QtBot,
) -> None:
    window, core = attached_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # in front of the user
    finished = _finished_answers(core)
    shown = finish(core.service.send_new("What is shown first?"))  # the chat on screen
    window.show_thread(shown.answer.thread_id)
    qtbot.waitUntil(lambda: window.current_thread_id == shown.answer.thread_id)
    qtbot.waitUntil(lambda: shown.answer.id in finished)
    assert not notification_server.calls  # the window was in front: nothing to tell

    window.hide()  # closed to the tray, or another program in front
    turn = finish(core.service.send_new("Plan the release for Friday"))
    qtbot.waitUntil(lambda: len(notification_server.calls) == 1)
    app_name, replaces, icon, summary, body, actions, hints, _ = notification_server.calls[0]
    assert icon == "io.github.chatdesk.Chatdesk"
    assert (app_name, replaces, summary) == ("chatdesk", 0, "Answer ready")
    assert actions[0] == "default"
    assert hints["desktop-entry"] == ("s", "io.github.chatdesk.Chatdesk")
    assert "\n" not in body
    assert len(body) <= 80
    assert body == "This is chatdesk's built-in offline demo, not an AI model."

    finish(notification_server.click(1))
    qtbot.waitUntil(lambda: window.current_thread_id == turn.answer.thread_id)
    assert window.isVisible()


def test_an_answer_the_quick_window_shows_is_not_notified_until_it_is_hidden(
    notification_server: NotificationServer,
    desktop: Desktop,
    attached_window: tuple[MainWindow, Core],
    finish: Any,
    qtbot: QtBot,
) -> None:
    window, core = attached_window
    window.hide()  # chatdesk in the tray; the quick window asked from another program
    finished = _finished_answers(core)
    desktop.quick_ask()
    quick = desktop.quick
    assert quick is not None
    qtbot.waitUntil(quick.window.isVisible)
    quick.ask("What is shown in the quick window?")
    qtbot.waitUntil(lambda: quick.thread_id is not None and quick.answer_id is None)
    qtbot.waitUntil(lambda: len(finished) == 1)
    assert desktop.notices is not None
    desktop.notices.tell("Told after it", "")  # sent after any notification of that answer
    qtbot.waitUntil(lambda: len(notification_server.calls) >= 1)
    assert notification_server.calls[0][3] == "Told after it"  # the user watched it end

    quick.ask("And when it is hidden?")
    quick.window.hide()  # Esc while it is written: the user went back to their work
    qtbot.waitUntil(lambda: len(notification_server.calls) == 2)
    assert len(finished) == 2
    assert notification_server.calls[1][3] == "Answer ready"
    finish(notification_server.click(2))
    qtbot.waitUntil(lambda: window.current_thread_id == quick.thread_id)
    finish(desktop.aclose())


def test_no_notification_when_switched_off(
    notification_server: NotificationServer,
    desktop: Desktop,
    attached_window: tuple[MainWindow, Core],
    finish: Any,
    qtbot: QtBot,
) -> None:
    import dataclasses

    window, core = attached_window
    current = window.settings.current
    off = dataclasses.replace(current.desktop, notify=False)
    window.settings.apply(dataclasses.replace(current, desktop=off))
    window.hide()
    finished = _finished_answers(core)
    turn = finish(core.service.send_new("Quietly, please"))
    qtbot.waitUntil(lambda: turn.answer.id in finished)
    assert not notification_server.calls


def test_first_line_is_short_and_plain() -> None:
    assert first_line("\n\n## **Release plan**\nmore") == "Release plan"
    assert first_line("- [a link](https://example.com) here") == "a link here"
    long = "word " * 40
    said = first_line(long)
    assert len(said) <= 80
    assert said.endswith("…")
    assert first_line("") == ""


def test_a_tool_waiting_while_elsewhere_is_notified_and_its_chat_opened(
    notification_server: NotificationServer,
    make_core: Any,
    open_window: Any,
    finish: Any,
    qtbot: QtBot,
) -> None:
    from tests.ui.tool_windows import last_card, press, waiting

    core = make_core()
    other = finish(core.service.create_thread(title="Something else"))
    thread = finish(core.service.create_thread(title="With tools"))
    finish(core.service.set_thread_tools(thread.id, ["chatdesk"]))
    window: MainWindow = open_window(core)
    window.show_thread(other.id)  # the user is on another chat
    qtbot.waitUntil(lambda: window.current_thread_id == other.id)
    desktop = Desktop(window, core)
    desktop.start()
    window.showMinimized()  # and in another program
    finish(core.service.send(thread.id, "use the search_chats tool with query=tables"))
    qtbot.waitUntil(lambda: len(notification_server.calls) == 1)
    summary, body = notification_server.calls[0][3:5]
    assert summary == "A tool waits for you"
    assert body == "search_chats waits for your approval."

    finish(notification_server.click(1))
    qtbot.waitUntil(lambda: window.current_thread_id == thread.id)
    assert window.isVisible()
    assert not window.isMinimized()
    qtbot.waitUntil(lambda: waiting(window))  # its card, waiting for the user's choice
    card = last_card(window)
    assert card is not None
    press(qtbot, card, "once")
    qtbot.waitUntil(lambda: card.call.state == "done")
    desktop.close()
