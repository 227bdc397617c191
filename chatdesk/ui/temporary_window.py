"""A window of temporary chats (Ctrl+Shift+N): the same window over chats that live only in
memory (chatdesk/core/temporary.py), marked as temporary in its header, its title and its sidebar,
with a banner that says what that means and keeps the chat shown as a normal one. Closing it
with chats not kept asks first; once closed they are gone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from string import Template
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from chatdesk.core.config import Settings
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.ui.header import thread_title
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.temporary import TemporaryChats

# A violet of its own (the look's `temporary` roles): not the header's grey, not the amber of a
# warning.
TEMPORARY_STYLE = Template("""
#temporaryBanner { background: $temporary_tint; border-bottom: 1px solid $temporary; }
#temporaryNote { font-weight: 600; }
#temporarySide { font-weight: 600; padding: 4px 8px; border-radius: 6px;
    background: $temporary_tint; }
""")
SAID = mark(
    "Temporary: these chats live only in memory. Nothing is saved, searched or backed up, and "
    "closing this window ends them."
)


class TemporaryWindow(MainWindow):
    kept = Signal(object)  # the id of a chat kept, now a normal chat

    def __init__(self, chats: TemporaryChats, settings: Settings) -> None:
        super().__init__(settings=settings)
        self.setObjectName("temporaryWindow")
        self._chats = chats
        self._made: set[uuid.UUID] = set()  # the chats started here
        self._ending = False  # the user agreed to lose what was not kept
        self.question: QWidget | None = None  # the close question asked last (for tests)
        self.ending: asyncio.Future[None] | None = None  # closing: the chats being dropped
        self.banner = self._banner()
        self.panes.column.insertWidget(0, self.banner)
        self.attach(chats.service)
        side = QLabel(tr("Temporary chats"), self.sidebar)
        side.setObjectName("temporarySide")
        side.setToolTip(tr(SAID))
        layout = self.sidebar.layout()
        assert isinstance(layout, QBoxLayout)
        layout.insertWidget(0, side)
        self.setStyleSheet(self.styleSheet() + _temporary_style())
        self._listen = chats.service.events.subscribe(self._seen)
        self._show_header()  # "New chat · temporary" in its header and title from the start

    def _banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("temporaryBanner")
        row = QHBoxLayout(banner)
        row.setContentsMargins(14, 6, 14, 6)
        note = QLabel(tr(SAID), banner)
        note.setObjectName("temporaryNote")
        note.setWordWrap(True)
        self.keep_button = QPushButton(tr("Keep this chat"), banner)
        self.keep_button.setAccessibleName(tr("Keep this chat: save it as a normal chat"))
        self.keep_button.setToolTip(tr("Save the chat shown as a normal chat, with every branch"))
        self.keep_button.clicked.connect(self.keep)
        self.keep_button.setEnabled(False)
        row.addWidget(note, 1)
        row.addWidget(self.keep_button)
        return banner

    def keep(self) -> None:
        """Save the chat shown as a normal one (the main window shows it)."""
        thread = self._thread
        if thread is None or self._service is None:
            return
        self.runner.run(self._chats.keep(thread.id), done=self._kept)

    def _kept(self, thread_id: uuid.UUID) -> None:
        self.statusBar().showMessage(tr("Kept: the chat is saved with your other chats."), 10_000)
        self._show_header()
        self.kept.emit(thread_id)

    def _show_header(self) -> None:
        super()._show_header()
        thread = self._thread
        title = thread_title(thread)
        kept = thread is not None and thread.id in self._chats.kept
        state = (
            # translators: after a chat's title: a temporary chat saved as a normal one
            tr("kept")
            if kept
            # translators: after a chat's title: the chat lives only in memory
            else tr("temporary")
        )
        self.header.title.setText(f"{title} · {state}")
        self.setWindowTitle(f"{title} ({state}) — chatdesk")
        self.keep_button.setEnabled(thread is not None and not kept)
        # translators: the button "Keep this chat" once the chat shown was kept
        self.keep_button.setText(tr("Kept") if kept else tr("Keep this chat"))

    def _theme_changed(self) -> None:
        super()._theme_changed()  # sets the window's sheet anew, without this window's part
        self.setStyleSheet(self.styleSheet() + _temporary_style())

    def _seen(self, event: Event) -> None:
        from chatdesk.core.chat.events import ThreadCreated

        if isinstance(event, ThreadCreated):
            self._made.add(event.thread.id)

    def unkept(self) -> int:
        """How many chats started here were not kept."""
        return len(self._made - self._chats.kept)

    def closeEvent(self, event: QCloseEvent) -> None:
        lost = self.unkept()
        if lost and not self._ending:
            event.ignore()
            from chatdesk.ui.questions import ask

            self.question = ask(
                self,
                tr("Close temporary chats"),
                ntr(
                    "Close the window and lose {n} temporary chat?",
                    "Close the window and lose {n} temporary chats?",
                    lost,
                ),
                ntr(
                    "It was never saved. Keep this chat saves the one shown as a normal chat.",
                    "They were never saved. Keep this chat saves the one shown as a normal chat.",
                    lost,
                ),
                # translators: the button that closes the window of temporary chats not kept
                ntr("Close and lose it", "Close and lose them", lost, context="temporary chats"),
                self._end,
            )
            return
        super().closeEvent(event)
        if event.isAccepted():
            self._listen()
            self.ending = asyncio.ensure_future(self._end_chats())

    def _end(self) -> None:
        self._ending = True
        self.close()

    async def _end_chats(self) -> None:
        try:
            await self.aclose()
        finally:
            await self._chats.aclose()
            self.deleteLater()


def offer_temporary_chats(
    window: MainWindow, make: Callable[[Settings], Coroutine[Any, Any, TemporaryChats]]
) -> None:
    """Let `window` open windows of temporary chats, each made by `make` from its settings."""
    window.on_demand.temporary = lambda: (make(window.settings.current), window.settings.current)
    window.on_demand.temporary_window = _open


def _open(
    chats: TemporaryChats, settings: Settings, show_kept: Callable[[object], object], size: QSize
) -> TemporaryWindow:
    window = TemporaryWindow(chats, settings)
    window.kept.connect(show_kept)
    window.resize(size)
    window.show()
    window.start()
    return window


def _temporary_style() -> str:
    return TEMPORARY_STYLE.substitute(colours(current_look()))
