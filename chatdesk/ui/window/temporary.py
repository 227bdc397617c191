"""A temporary chat in the window itself (File ▸ New temporary chat, Ctrl+Shift+N, or the
header's Temporary switch): the conversation and the composer talk to the temporary chats'
service (chatdesk/core/temporary.py: a database in memory) through the window's switch, while
the sidebar keeps listing the saved chats. A violet banner says what it means and offers to keep
the chat as a normal one; the header's title says "temporary" too. Files cannot be attached to
it (the attach button says why).

One temporary chat at a time. Leaving it (the switch off, Ctrl+W, another chat, New chat,
closing the window) ends it: with a message or words typed, once the user agreed or kept it as
a normal chat (what was typed goes with it); its database in memory is closed then."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Mapping
from string import Template
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QWidget,
)

from chatdesk.core.i18n import mark, tr
from chatdesk.ui.theme import ThemeWatcher, current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.icons import set_icon
from chatdesk.ui.theme.scale import ICON, RADIUS

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QVBoxLayout

    from chatdesk.core.config import Settings
    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.core.views import ThreadView
    from chatdesk.ui.composer import Composer
    from chatdesk.ui.header import ThreadHeader
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.drafts import Drafts
    from chatdesk.ui.window.switch import ServiceSwitch

# Makes the temporary chats (the app's `AppCore.temporary`), with the settings of the moment.
MakeTemporary = Callable[["Settings"], Coroutine[Any, Any, "TemporaryChats"]]

# A violet of its own (the look's `temporary` roles): not the header's grey, not the amber of a
# warning. The switch is a quiet icon at rest; on, it stands on the banner's violet, edged.
STYLE = Template("""
#temporaryBanner { background: $temporary_tint; border-bottom: 1px solid $temporary; }
#temporaryBanner QLabel { color: $text; font-weight: 600; }
#temporaryToggle { background: transparent; border: 1px solid transparent;
    border-radius: ${radius}px; padding: 3px; }
#temporaryToggle:hover { background: $hover; }
#temporaryToggle:checked { background: $temporary_tint; border-color: $temporary; }
#temporaryToggle:focus { border: 2px solid $focus; padding: 2px; }
""")
HEADER_STYLE = Template("#threadHeader { border-bottom: 2px solid $temporary; }")
SAID = mark("Temporary chat — not saved, searched or backed up")
NO_FILES = mark(
    "Files cannot be attached to a temporary chat: it keeps nothing on disk. Keep it as a "
    "normal chat first."
)


class TemporaryChat(QObject):
    def __init__(
        self,
        window: QWidget,
        switch: ServiceSwitch,
        runner: Runner,
        header: ThreadHeader,
        composer: Composer,
        drafts: Drafts,
        *,
        column: QVBoxLayout,
        actions: Mapping[str, QAction],
        settings: Callable[[], Settings],
        current_thread: Callable[[], uuid.UUID | None],
        fresh_chat: Callable[[], object],
        show_thread: Callable[[uuid.UUID], object],
        open_view: Callable[[ThreadView], object],
        shown_changed: Callable[[], object],
    ) -> None:
        """In `window`, its banner atop `column`, calling the temporary chats' service through
        `switch`; `actions` are the window's menu entries, `settings()` the settings in use,
        `current_thread()` the chat shown, and `shown_changed()` is called once a temporary
        chat is shown or no longer is. `make` is set by the app (None: none is offered)."""
        super().__init__(window)
        self._window = window
        self._switch, self._runner = switch, runner
        self._header, self._composer, self._drafts = header, composer, drafts
        self._actions, self._settings, self._current_thread = actions, settings, current_thread
        self._fresh, self._show_thread, self._open_view = fresh_chat, show_thread, open_view
        self._shown_changed = shown_changed
        self._make: MakeTemporary | None = None
        self.chats: TemporaryChats | None = None  # while a temporary chat is shown
        self._before: uuid.UUID | None = None  # the saved chat shown before it
        self._agreed = False  # the window closes: the user agreed to lose it
        self.question: QMessageBox | None = None  # asked last (for tests)
        self._closing: list[asyncio.Future[None]] = []  # temporary chats' databases closing
        self.toggle = self._make_toggle()
        self.toggle.setEnabled(False)  # until `make` is given
        self.banner = self._make_banner()
        column.insertWidget(0, self.banner)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        ThemeWatcher.of(app).changed.connect(self._tint)
        self.banner.hide()
        self._tint()

    def _make_toggle(self) -> QToolButton:
        """The header's switch: an icon (a dashed speech bubble), in the text's colour on the
        violet while on; its name and tooltip say what it is."""
        toggle = QToolButton(self._header)
        toggle.setObjectName("temporaryToggle")
        toggle.setAutoRaise(True)
        toggle.setCheckable(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toggle.setIconSize(QSize(ICON["m"], ICON["m"]))
        toggle.setAccessibleName(tr("Temporary chat"))
        said = tr("A chat that is not saved, searched or backed up (Ctrl+Shift+N)")
        toggle.setToolTip(said)
        toggle.setAccessibleDescription(said)
        set_icon(toggle, "temporary", current_look())
        toggle.toggled.connect(
            lambda on: set_icon(toggle, "temporary", current_look(), "text" if on else "quiet")
        )
        toggle.clicked.connect(self._toggled)
        # with what is said of the chat shown, so hidden while a page stands in its place
        layout = self._header.facts.layout()
        assert layout is not None
        layout.addWidget(toggle)
        return toggle

    def _make_banner(self) -> QFrame:
        banner = QFrame(self._window)
        banner.setObjectName("temporaryBanner")
        row = QHBoxLayout(banner)
        row.setContentsMargins(14, 6, 14, 6)
        note = QLabel(tr(SAID), banner)
        note.setObjectName("temporaryNote")
        note.setWordWrap(True)
        self.keep_button = QPushButton(tr("Keep as a normal chat"), banner)
        self.keep_button.setAccessibleName(tr("Keep as a normal chat"))
        self.keep_button.setToolTip(tr("Save this chat with your other chats, every branch"))
        self.keep_button.clicked.connect(lambda: self.keep())
        row.addWidget(note, 1)
        row.addWidget(self.keep_button)
        return banner

    @property
    def make(self) -> MakeTemporary | None:
        return self._make

    @make.setter
    def make(self, make: MakeTemporary | None) -> None:
        """How temporary chats are made (None: this window offers none, its switch disabled)."""
        self._make = make
        self.toggle.setEnabled(make is not None)
        self._actions["temporary.start"].setEnabled(make is not None)

    @property
    def shown(self) -> bool:
        return self.chats is not None

    def titled(self, title: str) -> str:
        """The header's and the window's title of the chat shown: marked while temporary."""
        # translators: a chat's title, then that it lives only in memory
        return tr("{title} · temporary", title=title) if self.shown else title

    # -- starting --------------------------------------------------------------------------------

    def start(self) -> None:
        """A new temporary chat (leaving the one shown, if one is)."""
        if self.shown:
            self.leave(self.start)
            return
        if self._make is None:
            return
        self.toggle.setChecked(True)  # at once: its database in memory takes a moment
        self.toggle.setEnabled(False)
        self._runner.run(
            self._make(self._settings()),
            done=self._started,
            settled=self._made,
            owner=self._window,
        )

    def _made(self) -> None:
        """Made, or not (its failure said): the switch shows whether it is on."""
        self.toggle.setEnabled(True)
        self.toggle.setChecked(self.shown)

    def _started(self, chats: TemporaryChats) -> None:
        self._before = self._current_thread()
        # What was typed stays with the saved chat (stored there, whenever the call runs).
        self._runner.run(self._drafts.keep(self._switch.saved), quiet=True)
        self._drafts.forget()
        self.chats = chats
        self._switch.use(chats.service)
        self._show(True)
        self._fresh()
        self._composer.focus_editor()

    def adopt(self, chats: TemporaryChats, thread_id: uuid.UUID) -> None:
        """Show the chat `thread_id` of temporary chats made elsewhere (the quick window's),
        as this window's temporary chat from now on (leaving the one shown first)."""
        if self.shown:
            self.leave(lambda: self.adopt(chats, thread_id))
            return
        self._started(chats)
        self._runner.run(chats.service.get_thread(thread_id), done=self._open_view)

    def _toggled(self, on: bool) -> None:
        if on:
            self.start()
        else:
            self.close_chat()

    # -- leaving ---------------------------------------------------------------------------------

    def close_chat(self) -> None:
        """Leave the temporary chat for the saved chat shown before it (Ctrl+W)."""
        before = self._before
        self.leave(lambda: self._show_thread(before) if before is not None else None)

    def leave_first(self, then: Callable[[], object]) -> bool:
        """Whether a temporary chat is shown: it is left first, and `then` runs once it is."""
        if not self.shown:
            return False
        self.leave(then)
        return True

    def leave(self, then: Callable[[], object]) -> None:
        """End the temporary chat, then `then`: at once when nothing would be lost, else once
        the user agreed or kept it."""
        if not self._words():
            self._end(then)
            return
        self.question = self._ask(then)

    def stops_close(self) -> bool:
        """Whether closing the window waits: a temporary chat would lose words (asked)."""
        if self._agreed or not self.shown or not self._words():
            return False
        self.question = self._ask(self._close_window)
        return True

    def _close_window(self) -> None:
        self._agreed = True
        self._window.close()

    def _words(self) -> bool:
        """A message was sent in it, or something is typed."""
        return self._current_thread() is not None or not self._drafts.typed().empty

    def _ask(self, then: Callable[[], object]) -> QMessageBox:
        started = self._current_thread() is not None
        box = QMessageBox(QMessageBox.Icon.Question, tr("Leave the temporary chat"), "")
        box.setParent(self._window, box.windowFlags())
        box.setText(tr("Leave the temporary chat and lose it?"))
        box.setInformativeText(
            tr("It was never saved: its messages and what you typed are lost once you leave.")
            if started
            else tr("It was never saved: what you typed is lost once you leave.")
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        keep = box.addButton(tr("Keep as a normal chat"), QMessageBox.ButtonRole.AcceptRole)
        keep.setVisible(started)
        lose = box.addButton(tr("Leave and lose it"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter on a surprise question must not lose anything
        box.setEscapeButton(cancel)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is keep:
                self.keep(then)
            elif clicked is lose:
                self._end(then)
            else:  # Cancel, Esc: the switch, turned off, turns back on
                self._show(True)

        box.finished.connect(answered)
        box.open()
        return box

    def keep(self, then: Callable[[], object] | None = None) -> None:
        """Save the temporary chat as a normal one with what is typed in it, then leave it for
        `then` (by default: the kept chat, now a saved one)."""
        thread_id, chats = self._current_thread(), self.chats
        if thread_id is None or chats is None:
            return
        # Once an answer still being written has ended: meanwhile Keep says it is under way.
        self.keep_button.setEnabled(False)
        self._runner.run(
            chats.keep(thread_id),
            done=lambda kept: self._kept(kept, then),
            settled=lambda: self.keep_button.setEnabled(self.shown),
        )

    def _kept(self, kept: uuid.UUID, then: Callable[[], object] | None) -> None:
        typed = self._drafts.typed()
        after = then or (lambda: self._show_thread(kept))
        if typed.empty:
            self._end(after)
            return
        # What was typed is the kept chat's draft, shown with it.
        saving = self._switch.saved.save_draft(kept, typed)
        self._runner.run(saving, done=lambda _: self._end(after))

    def _end(self, then: Callable[[], object]) -> None:
        chats = self.chats
        if chats is None:
            then()
            return
        self._drafts.forget()  # agreed to, or kept
        self.chats = None
        self._switch.use(None)
        self._show(False)
        self._fresh()
        # Not the runner's: closing the window waits for it (aclose), never cancels it.
        self._closing = [f for f in self._closing if not f.done()]
        self._closing.append(asyncio.ensure_future(chats.aclose()))
        then()

    async def aclose(self) -> None:
        """The window closes: the temporary chat ends with it, and those ended are gone."""
        chats, self.chats = self.chats, None
        if chats is not None:
            self._switch.use(None)
            self._closing.append(asyncio.ensure_future(chats.aclose()))
        await asyncio.gather(*self._closing)

    # -- how it looks ----------------------------------------------------------------------------

    def _show(self, on: bool) -> None:
        on = on and self.shown
        self.toggle.setChecked(on)
        self.banner.setVisible(on)
        self.keep_button.setEnabled(on)
        self._composer.refuse_files(tr(NO_FILES) if on else "")
        self._tint()
        self._shown_changed()

    def chat_shown(self, started: bool) -> None:
        """The chat shown changed: Keep is offered once a message was sent."""
        self.keep_button.setEnabled(self.shown and started)

    def _tint(self, _dark: bool = False) -> None:
        roles = colours(current_look())
        sheet = STYLE.substitute(roles, radius=RADIUS["m"])
        self.banner.setStyleSheet(sheet)
        self.toggle.setStyleSheet(sheet)
        self._header.setStyleSheet(HEADER_STYLE.substitute(roles) if self.shown else "")
