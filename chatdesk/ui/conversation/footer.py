"""Under a message: its actions as icon buttons, the arrows between its versions, and its
figures (model, tokens, time) in the quiet caption size.

The actions and the figures show while the message is under the mouse or the keyboard focus is
in it, and always under the conversation's last message; otherwise their places stay empty, the
row keeping its height, so nothing moves when they come and go. Coming and going repaints the
row and nothing else: no icon or style changes, which would lay the whole conversation out
again. They are always in the tab order and named for a screen reader, so nothing here is
reachable by the mouse alone. The arrows between versions and "Used 2 memories" always show.

The arrows between versions and "Used 2 memories" are made when a message first shows them, and
Read aloud only under an answer: most messages never do, and every control a page of messages
holds costs memory (~14 KB each under the window's style sheet). Made later, they take the
places in the row and in the tab order they would have had.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.ui.conversation.buttons import flat_button, icon_button
from chatdesk.ui.conversation.frame import after_in_tab_order, into_tab_order
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import set_icon
from chatdesk.ui.theme.scale import SPACE


def _withheld(widget: QWidget) -> bool:
    """`widget`, one of a footer's actions or its figures, is not drawn now (it never is
    withheld while it has the keyboard focus)."""
    footer = widget.parentWidget()
    return isinstance(footer, MessageFooter) and not footer.revealed and not widget.hasFocus()


class _Action(QToolButton):
    """One of a footer's actions: drawn while its footer is revealed, and opening its menu
    (Copy's) with Down or the Menu key. Its own methods, not a filter on the buttons: a filter
    would see every event of every button, in Python, as each message is made."""

    def paintEvent(self, event: QPaintEvent) -> None:
        if not _withheld(self):
            super().paintEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.menu() is not None and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Menu):
            self.showMenu()  # returns once the menu is closed
            self.setFocus(Qt.FocusReason.PopupFocusReason)  # where the key was pressed
            return
        super().keyPressEvent(event)


class _Figures(QLabel):
    """The message's figures: drawn while its footer is revealed."""

    def paintEvent(self, event: QPaintEvent) -> None:
        if not _withheld(self):
            super().paintEvent(event)


class MessageFooter(QWidget):
    """`action` names: copy-markdown, copy-plain (from the copy button's menu), regenerate,
    delete, previous-branch, next-branch, and where memory is kept, remember (Remember this…)
    and memories (the memories an answer was given); `edit` asks for the user's message to be
    edited."""

    action = Signal(str)
    edit = Signal()

    def __init__(
        self, user: bool, parent: QWidget | None = None, *, versions: bool = False
    ) -> None:
        """`versions`: the message has versions already (their arrows are made first, as
        they come first in the tab order)."""
        super().__init__(parent)
        self.setObjectName("messageFooter")
        self._user = user
        row = self._row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACE["xxs"])
        self._versions = self._made_versions() if versions else None
        self.copy = self._copy_button()
        self.regenerate_or_edit = last = self._edit_or_regenerate(user)
        self.delete = self._button(
            "delete",
            "delete",
            # translators: a button under a message that deletes it
            tr("Delete"),
            tr("Delete this message and what follows"),
        )
        self.remember = self._remember_button()
        self._memories: QToolButton | None = None  # "Used 2 memories", once first shown
        self._read_aloud = None if user else self._read_aloud_button()
        self.meta = _Figures()
        self.meta.setObjectName("messageMeta")
        reading = () if user else (self.read_aloud,)
        self.buttons = (self.copy, *reading, last, self.remember, self.delete)
        self._lay_out(row, user)
        self._hovered = False  # the mouse is over the message
        self._focused = False  # the keyboard focus is in the message
        self._last = False  # the conversation's last message: always revealed
        self._wanted: str | None = None  # a part to focus once shown (focus_part)

    def _edit_or_regenerate(self, user: bool) -> QToolButton:
        """Edit under the user's message; Regenerate under an answer."""
        if not user:
            regenerate, description = tr("Regenerate"), tr("Write a new answer")
            return self._button("regenerate", "regenerate", regenerate, description)
        self.edit_button = icon_button(
            "edit",
            # translators: a button under the user's message that edits it
            tr("Edit"),
            tr("Edit and resend (the old version stays as a branch)"),
            _Action,
        )
        self.edit_button.clicked.connect(self.edit)
        return self.edit_button

    def _lay_out(self, row: QHBoxLayout, user: bool) -> None:
        """The versions stand at the row's outer edge, under the text's edge (an answer's
        start, the user's end), where they always show; the actions follow them, then the
        figures (an answer's) or precede them (the user's), so the actions keep their places
        from message to message. "Used 2 memories" follows the figures (`memories`)."""
        versions = self._versions or ()
        if user:
            row.addStretch(1)
            row.addWidget(self.meta)
            row.addSpacing(SPACE["s"])
            for widget in (*self.buttons, *versions):
                row.addWidget(widget)
        else:
            for widget in (*versions, *self.buttons):
                row.addWidget(widget)
            row.addSpacing(SPACE["s"])
            row.addWidget(self.meta)
            row.addStretch(1)

    # -- made when first shown -------------------------------------------------------------------

    def _made_versions(self) -> tuple[QToolButton, QLabel, QToolButton]:
        """The arrows and the version's place ("2/3"), which always show."""
        shown = QToolButton
        previous = self._button("previous", "previous-branch", tr("Previous version"), kind=shown)
        branch = QLabel()
        branch.setObjectName("branchPosition")
        following = self._button("next", "next-branch", tr("Next version"), kind=shown)
        return previous, branch, following

    def _versions_now(self) -> tuple[QToolButton, QLabel, QToolButton]:
        """The arrows and the version's place, made now if they were not, where the row and the
        tab order have them: after the user's actions, before an answer's."""
        if self._versions is None:
            made = self._versions = self._made_versions()
            row = self._row
            last, first = self.buttons[-1], self.buttons[0]
            at = row.indexOf(last) + 1 if self._user else row.indexOf(first)
            for offset, widget in enumerate(made):
                row.insertWidget(at + offset, widget)
            if self._user:
                after_in_tab_order(last, (made[0], made[2]))
            else:
                into_tab_order((made[0], made[2]), before=first)
        return self._versions

    @property
    def previous(self) -> QToolButton:
        return self._versions_now()[0]

    @property
    def branch(self) -> QLabel:
        return self._versions_now()[1]

    @property
    def next(self) -> QToolButton:
        return self._versions_now()[2]

    def show_versions(self, index: int, count: int, *, shown: bool) -> None:
        """The arrows between the message's versions and which it is ("2/3"), when `shown`."""
        if self._versions is None and not shown:
            return
        previous, branch, following = self._versions_now()
        for widget in (previous, branch, following):
            widget.setVisible(shown)
        branch.setText(f"{index}/{count}")
        branch.setAccessibleName(tr("Version {index} of {count}", index=index, count=count))
        previous.setEnabled(index > 1)
        following.setEnabled(index < count)

    @property
    def memories(self) -> QToolButton:
        """ "Used 2 memories": after the figures, where the tab order has it (an answer's after
        Read aloud, the user's last)."""
        if self._memories is None:
            used = self._memories = flat_button("", tr("Show the memories this answer was given"))
            used.setObjectName("memoriesUsed")
            used.clicked.connect(lambda: self.action.emit("memories"))
            used.hide()
            self._row.insertWidget(self._row.indexOf(self.meta) + 1, used)
            if self._user:
                ahead = self.buttons[-1] if self._versions is None else self._versions[2]
            else:
                ahead = self.read_aloud
            after_in_tab_order(ahead, (used,))
        return self._memories

    @property
    def read_aloud(self) -> QToolButton:
        """Read aloud: an answer's (a user's message is not read; asked for, it has one
        hidden and out of its row, as before)."""
        if self._read_aloud is None:
            self._read_aloud = self._read_aloud_button()
        return self._read_aloud

    def _button(
        self,
        icon: str,
        name: str,
        text: str,
        description: str | None = None,
        *,
        kind: type[QToolButton] = _Action,
    ) -> QToolButton:
        """An action (`kind`: one drawn only while the row is revealed, unless said)."""
        button = icon_button(icon, text, description or text, kind)
        button.clicked.connect(lambda: self.action.emit(name))
        return button

    def _copy_button(self) -> QToolButton:
        """One copy button: a click copies the Markdown (what the message is, and what pastes
        back into a chat or a document); its menu, from its arrow or the Down key, offers
        plain text too."""
        # translators: a button under a message that copies it (as Markdown; its menu has more)
        button = self._button("copy", "copy-markdown", tr("Copy"), tr("Copy this message"))
        button.setAccessibleDescription(
            tr("Copies the message as Markdown; its menu (the Down key) copies it as text too")
        )
        menu = QMenu(button)
        menu.setAccessibleName(tr("Copy as"))
        for text, name in (
            (tr("Copy as &Markdown"), "copy-markdown"),
            (tr("Copy as &text"), "copy-plain"),
        ):
            menu.addAction(text).triggered.connect(lambda _=False, n=name: self.action.emit(n))
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        # The arrow's place turns with the text's direction; the sheet's padding follows it.
        button.setProperty("mirrored", QApplication.isRightToLeft())
        return button

    def _remember_button(self) -> QToolButton:
        """Remember this… (hidden until `allow_memory`)."""
        remember = self._button(
            "pin", "remember", tr("Remember this…"), tr("Keep this message's words as a memory")
        )
        remember.hide()
        self.can_remember = False  # memory is kept where this message is (not a temporary chat)
        self._memory: tuple[tuple[int, ...], bool] = ((), False)  # ids given, and final
        return remember

    def show_memory(self, ids: tuple[int, ...], *, final: bool) -> None:
        """ "Used 2 memories" under an answer that was given `ids`, and Remember this…, once
        the message is `final`."""
        self._memory = (ids, final)
        shown = final and bool(ids) and self.can_remember
        if shown:
            self.memories.setText(ntr("Used {n} memory", "Used {n} memories", len(ids)))
            self.memories.setAccessibleName(self.memories.text())
        if self._memories is not None:
            self._memories.setVisible(shown)
        self.remember.setVisible(final and self.can_remember)

    def allow_memory(self) -> None:
        """Memory is kept where this message is: its parts about memory may show."""
        self.can_remember = True
        self.show_memory(*self._memory[:1], final=self._memory[1])

    def show_actions(self, final: bool, *, words: bool) -> None:
        """Copy once the message has ended (nothing to act on before); Read aloud, an
        answer's, as soon as it has `words`."""
        self.copy.setVisible(final)
        if not self._user:
            self.read_aloud.setVisible(words)

    def _read_aloud_button(self) -> QToolButton:
        """Read aloud: an answer's, shown once it has words (message.py)."""
        button = self._button("read-aloud", "read-aloud", "")
        button.setParent(self)
        button.setVisible(False)
        self._read_aloud = button
        self.set_reading(False)
        return button

    def set_reading(self, reading: bool) -> None:
        """Read aloud, or while this answer is read aloud, Stop reading."""
        button = self.read_aloud
        if reading:
            text, description = tr("Stop reading"), tr("Stop reading this answer aloud")
        else:
            text, description = tr("Read aloud"), tr("Read this answer aloud")
        button.setText(text)
        button.setToolTip(description)
        button.setAccessibleName(text)
        button.setAccessibleDescription(description)
        set_icon(button, "stop" if reading else "read-aloud", current_look())

    _PARTS = ("copy", "read_aloud", "regenerate_or_edit", "remember", "delete", "previous", "next")

    def _part(self, name: str) -> QToolButton | None:
        """The control `name` of `_PARTS`, if it was made."""
        if name in ("previous", "next"):
            if self._versions is None:
                return None
            previous, _, following = self._versions
            return following if name == "next" else previous
        if name == "read_aloud":
            return self._read_aloud
        part: QToolButton = getattr(self, name)
        return part

    def focused_part(self) -> str | None:
        """Which of its controls has the keyboard focus, by name (None: none of them)."""
        parts = ((name, self._part(name)) for name in self._PARTS)
        return next((name for name, part in parts if part is not None and part.hasFocus()), None)

    def focus_held(self) -> str | None:
        """The control that has the keyboard focus, or that waits to take it (`focus_part`)."""
        return self.focused_part() or self._wanted

    def focus_part(self, name: str) -> None:
        """Give the keyboard focus to the control `name`, or the nearest one that can take it;
        while none can (an answer being written shows no actions), once one can (`settle`),
        unless the focus has gone somewhere meanwhile."""
        self._wanted = name
        self.settle()

    def settle(self) -> None:
        """The actions shown changed: give the focus a waiting `focus_part` asked for."""
        if self._wanted is None:
            return
        focused = QApplication.focusWidget()
        if focused is not None and focused is not self.window():
            self._wanted = None  # the user went on elsewhere: leave the focus there
            return
        for each in (self._wanted, "regenerate_or_edit", "copy"):
            button = self._part(each)
            if button is None:
                continue
            if button.isVisibleTo(self) and button.isEnabled():  # the message may be unshown yet
                button.setFocus(Qt.FocusReason.TabFocusReason)
                self._wanted = None
                return

    def set_hovered(self, hovered: bool) -> None:
        """The mouse entered or left the message."""
        self._reveal(hovered=hovered)

    def set_focused(self, focused: bool) -> None:
        """The keyboard focus came into the message, or left it."""
        self._reveal(focused=focused)

    def set_last(self, last: bool) -> None:
        """The message is the conversation's last (its actions always show), or no longer."""
        self._reveal(last=last)

    @property
    def revealed(self) -> bool:
        """The actions and figures are drawn."""
        return self._hovered or self._focused or self._last

    def _reveal(self, **state: bool) -> None:
        before = self.revealed
        for name, value in state.items():
            setattr(self, f"_{name}", value)
        if self.revealed != before:
            self.update()  # a repaint of the row: its places and the layout stay as they are
