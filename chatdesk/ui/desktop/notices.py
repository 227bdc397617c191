"""System notifications (`[desktop] notify`): an answer finished, or a tool waits for the
user's approval, while chatdesk's window is hidden, minimised or not the active one. Clicking
one opens that chat. An answer the quick window shows on screen is not announced: it is in
front of the user already.

On Linux they go to the desktop's notification server over D-Bus (`dbus_notify.py`); elsewhere,
and on Linux without a session bus, through the tray icon's messages. A notification says
little: what happened and the answer's first line, plain and short; never more of a message.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from chatdesk.core.i18n import tr
from chatdesk.core.kinds import CallState, Role, Status

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event, EventBus
    from chatdesk.ui.desktop.dbus_notify import DbusNotifier
    from chatdesk.ui.desktop.tray import Tray
    from chatdesk.ui.main_window import MainWindow

FIRST_LINE = 80  # characters of an answer's first line a notification shows at most


class NoticesHub(Protocol):
    """What notifications ask of the running chatdesk (`Desktop`, `hub.py`): the tray's
    messages where there is no notification server, and the window or a chat when clicked."""

    @property
    def tray(self) -> Tray | None: ...

    def quick_shows(self, thread_id: uuid.UUID) -> bool: ...

    def show_window(self) -> None: ...

    def open_chat(self, thread_id: object) -> None: ...


class Notices(QObject):
    def __init__(
        self, window: MainWindow, desktop: NoticesHub, events: EventBus, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._desktop = desktop
        self.enabled = True
        self._asked: set[tuple[uuid.UUID, str]] = set()  # approvals told of already
        self._last_thread: uuid.UUID | None = None  # the tray's last message's chat
        self._clicks_from: QSystemTrayIcon | None = None  # the icon whose clicks are followed
        self._dbus: DbusNotifier | None = None
        self._dbus_failed = sys.platform != "linux"
        self._unsubscribe: Callable[[], None] = events.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()
        if self._dbus is not None:
            self._dbus.close()

    def looked_at(self) -> bool:
        """Whether the user has the window in front of them (then no notification)."""
        window = self._window
        return window.isVisible() and not window.isMinimized() and window.isActiveWindow()

    def _on_event(self, event: Event) -> None:
        from chatdesk.core.chat import events as ev

        if not self.enabled or self.looked_at():
            return
        match event:
            case ev.MessageFinished(message) if message.role is Role.ASSISTANT:
                if self._desktop.quick_shows(message.thread_id):
                    return  # the quick window, on top of everything, shows it ending
                if message.status is Status.COMPLETE:
                    self._notify(tr("Answer ready"), first_line(message.content), message.thread_id)
                elif message.status is Status.ERROR:
                    self._notify(tr("An answer failed"), "", message.thread_id)
            case ev.ToolCallChanged(message_id, thread_id, call) if call.state == CallState.WAITING:
                if (message_id, call.call_id) not in self._asked:
                    self._asked.add((message_id, call.call_id))
                    name = call.title or call.tool
                    said = tr("{tool} waits for your approval.", tool=name)
                    self._notify(tr("A tool waits for you"), said, thread_id)
            case _:
                pass

    def tell(self, title: str, body: str) -> bool:
        """A notification about chatdesk itself (clicking it shows the window)."""
        return self._notify(title, body, None)

    def _notify(self, title: str, body: str, thread_id: uuid.UUID | None) -> bool:
        if not self._dbus_failed:
            if self._dbus is None:
                from chatdesk.ui.desktop.dbus_notify import DbusNotifier

                self._dbus = DbusNotifier(self._clicked, self._dbus_gone)
            self._dbus.notify(title, body, thread_id)
            return True
        tray = self._desktop.tray
        if tray is None or tray.icon is None or not tray.show_message(title, body):
            return False
        if tray.icon is not self._clicks_from:  # a click on the message: its chat
            self._clicks_from = tray.icon
            tray.icon.messageClicked.connect(lambda: self._clicked(self._last_thread))
        self._last_thread = thread_id
        return True

    def _dbus_gone(self, title: str, body: str, thread_id: uuid.UUID | None) -> None:
        """No notification server on the session bus: the tray's messages from now on."""
        self._dbus_failed = True
        self._notify(title, body, thread_id)

    def _clicked(self, thread_id: uuid.UUID | None) -> None:
        if thread_id is None:
            self._desktop.show_window()
        else:
            self._desktop.open_chat(thread_id)


def first_line(text: str) -> str:
    """The first line with words of `text`, its Markdown marks dropped, at most FIRST_LINE
    characters (cut at a word, with an ellipsis)."""
    for line in text.splitlines():
        plain = re.sub(r"[*_`~>#|\[\]]+", "", line).strip(" -\t")
        plain = re.sub(r"\(https?://[^)]*\)", "", plain)
        plain = " ".join(plain.split())
        if plain:
            if len(plain) <= FIRST_LINE:
                return plain
            cut = plain[: FIRST_LINE - 1].rsplit(" ", 1)[0]
            return cut.rstrip(",.;:") + "…"
    return ""
