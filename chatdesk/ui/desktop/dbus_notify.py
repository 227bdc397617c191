"""Notifications on Linux: the Desktop Notifications interface of the session bus
(`org.freedesktop.Notifications`), through jeepney on chatdesk's asyncio loop (decision: tray
and notifications). Each notification has a "default" action; the server's `ActionInvoked`
for it is a click, which opens the chat the notification was about. A newer notification
about the same chat replaces the older one.

Connected on the first notification; a session without a bus or without a notification
server hands that notification, and the later ones, to the tray (`gone`).
"""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatdesk.core.login_item import APP_ID
from chatdesk.ui.desktop.session_bus import SessionBus

if TYPE_CHECKING:
    from jeepney import MatchRule

log = logging.getLogger("chatdesk.ui")

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
DEFAULT = "default"  # the action a click on the notification invokes

Clicked = Callable[[uuid.UUID | None], None]
Gone = Callable[[str, str, "uuid.UUID | None"], None]


class DbusNotifier:
    def __init__(self, clicked: Clicked, gone: Gone) -> None:
        self._clicked = clicked
        self._gone = gone
        self._bus = SessionBus(_rules, self._signal)
        self._sending: set[asyncio.Task[None]] = set()
        self._threads: dict[int, uuid.UUID | None] = {}  # notification id → its chat
        self._ids: dict[uuid.UUID | None, int] = {}  # a chat's notification shown now
        self.sent = 0  # notifications the server took (for the status of tests and logs)

    def notify(self, title: str, body: str, thread_id: uuid.UUID | None) -> None:
        task = asyncio.ensure_future(self._send(title, body, thread_id))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def close(self) -> None:
        for task in self._sending:
            task.cancel()
        self._bus.close()

    async def _send(self, title: str, body: str, thread_id: uuid.UUID | None) -> None:
        from jeepney import DBusAddress, MessageType, new_method_call

        try:
            router = await self._bus.connected()
            address = DBusAddress(PATH, bus_name=BUS_NAME, interface=INTERFACE)
            hints: dict[str, tuple[str, Any]] = {"desktop-entry": ("s", APP_ID)}
            replaces = self._ids.get(thread_id, 0)
            arguments = ("chatdesk", replaces, APP_ID, title, html.escape(body, quote=False))
            call = new_method_call(
                address,
                "Notify",
                "susssasa{sv}i",
                (*arguments, [DEFAULT, title], hints, -1),
            )
            reply = await router.send_and_get_reply(call)
        except (OSError, KeyError, ValueError) as error:  # no bus, or no address for it
            log.info("no session bus for notifications (%s): the tray's messages instead", error)
            self._gone(title, body, thread_id)
            return
        if reply.header.message_type is MessageType.error:
            log.info("the notification server refused a notification: %s", reply.body)
            self._gone(title, body, thread_id)
            return
        number = int(reply.body[0])
        self._threads[number], self._ids[thread_id] = thread_id, number
        self.sent += 1

    def _signal(self, message: Any) -> None:
        from jeepney import HeaderFields

        member, body = message.header.fields.get(HeaderFields.member), message.body
        if member == "ActionInvoked" and body[1] == DEFAULT and body[0] in self._threads:
            self._clicked(self._threads[body[0]])
        elif member == "NotificationClosed" and body[0] in self._threads:
            thread_id = self._threads.pop(body[0])
            if self._ids.get(thread_id) == body[0]:
                del self._ids[thread_id]


def _rules() -> list[MatchRule]:
    """The server's clicks and closes."""
    from jeepney import MatchRule

    return [MatchRule(type="signal", interface=INTERFACE, path=PATH)]
