"""The card of a memory's tool call (`remember`, `forget`, `update_memory`): the words that would
be kept, as words rather than arguments, with Keep / Edit / Don't keep (Enter keeps, Esc does
not, Alt+E edits). Edit turns the words into a field; Keep then keeps what the field holds (the
call runs with those words, `Edited`). For `forget` and `update_memory` the card shows the
memory's words as kept now (asked of the core through `MemoryWords`) and what they would become.
Once it ran, the card says so quietly: "Kept as memory 12".

The model's words are untrusted text: shown as plain text, never as markup."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.core.kinds import CallState
from chatdesk.core.tools.approval import Edited
from chatdesk.core.tools.model import MEMORY
from chatdesk.ui.conversation.frame import plain_label
from chatdesk.ui.conversation.tool_card import ToolCallCard

if TYPE_CHECKING:
    from chatdesk.core.memory.model import MemoryView
    from chatdesk.core.views import ToolCallView
    from chatdesk.ui.attachments.thumbnails import Thumbnails

# Asks the core for memory n, then calls back with it (None: it is not kept, or there is no
# core to ask, as in a temporary chat).
MemoryWords = Callable[[int, Callable[["MemoryView | None"], None]], None]

EDITOR_LINES = 4  # the field's height, in lines; longer words scroll
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# What the tools answer the model (chatdesk/core/tools/memory_tools.py), read for the card.
_DONE = {
    "remember": re.compile(r"Kept as memory (\d+)"),
    "forget": re.compile(r"Memory (\d+) was deleted"),
    "update_memory": re.compile(r"Memory (\d+) now reads"),
}


def is_memory(call: ToolCallView) -> bool:
    return call.server == MEMORY and call.tool in _DONE


def arguments_of(call: ToolCallView) -> dict[str, object]:
    try:
        parsed = json.loads(call.arguments)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def memory_number(call: ToolCallView) -> int | None:
    value = arguments_of(call).get("memory")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def proposed_text(call: ToolCallView) -> str:
    text = arguments_of(call).get("text")
    return text if isinstance(text, str) else ""


def _buttons(tool: str) -> tuple[str, str]:
    """The labels of the card's yes and no, by tool."""
    if tool == "forget":
        # translators: buttons of the card where the model proposes to delete a memory
        return tr("F&orget it"), tr("&Don't forget")
    if tool == "update_memory":
        # translators: buttons of the card where the model proposes new words for a memory
        return tr("Ch&ange it"), tr("&Don't change")
    # translators: buttons of the card where the model proposes a memory to keep
    return tr("&Keep"), tr("&Don't keep")


def _asked(tool: str) -> str:
    """The card's title while it waits: what the model asks."""
    if tool == "forget":
        return tr("The model asks to forget a memory")
    if tool == "update_memory":
        return tr("The model asks to change a memory")
    return tr("The model asks to remember this")


def done_text(call: ToolCallView) -> str:
    """What the card says once its call ended: "Kept as memory 12"; "" for the generic state."""
    if call.state == CallState.NOT_RUN:
        return tr("Not kept") if call.tool == "remember" else tr("Left as it was")
    found = _DONE[call.tool].search(call.result or "") if call.state == CallState.DONE else None
    if found is None:
        return ""
    n = int(found.group(1))
    if call.tool == "forget":
        return tr("Memory {n} deleted", n=n)
    if call.tool == "update_memory":
        return tr("Memory {n} changed", n=n)
    return tr("Kept as memory {n}", n=n)


class MemoryCallCard(ToolCallCard):
    """A memory tool's card. `decided(call_id, choice)` carries "once" or "deny", or an
    `Edited` with the words the user changed."""

    unfold_waiting = False  # its words are shown as words: the arguments stay folded

    def __init__(
        self,
        call: ToolCallView,
        parent: QWidget | None = None,
        thumbnails: Thumbnails | None = None,
        words: MemoryWords | None = None,
    ) -> None:
        self._words = words
        self._asked: int | None = None  # the memory whose current words were asked for
        self._was: QLabel | None = None
        self._shown: QLabel | None = None
        self._editor: QPlainTextEdit | None = None
        self._focused = False  # Keep took the keyboard when the card first waited
        super().__init__(call, parent, thumbnails)
        self.setObjectName("toolCard")

    # -- the proposal ----------------------------------------------------------------------------

    def _make_choices(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(22, 2, 0, 2)
        column.setSpacing(4)
        call = self.call
        if call.tool != "remember":
            self._was = _words_label("memoryWas", tr("The memory now"))
            column.addWidget(self._was)
        self._shown = _words_label("memoryWords", tr("Proposed memory"))
        self._editor = QPlainTextEdit()
        self._editor.setObjectName("memoryEditor")
        self._editor.setAccessibleName(tr("The memory's words"))
        self._editor.setTabChangesFocus(True)
        self._editor.installEventFilter(self)
        lines = self._editor.fontMetrics().lineSpacing() * EDITOR_LINES
        self._editor.setFixedHeight(lines + 2 * self._editor.frameWidth() + 8)
        self._editor.hide()
        column.addWidget(self._shown)
        column.addWidget(self._editor)
        yes, no = _buttons(call.tool)
        row = QHBoxLayout()
        keep = self._choice("once", yes, tr("Keep these words as a memory"))
        edit = self._button(tr("&Edit"), tr("Change the words before they are kept"))
        edit.clicked.connect(self.start_editing)
        if call.tool == "forget":  # nothing to edit; never setVisible(True) on a parentless one
            edit.hide()
        self.choice_buttons["edit"] = edit
        self._choice("deny", no, tr("Do not keep it; the model is told you declined"))
        for button in (keep, edit, self.choice_buttons["deny"]):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(box)
        return box

    def fits(self, call: ToolCallView) -> bool:
        return is_memory(call)

    def _button(self, text: str, description: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("toolChoice")
        button.setAccessibleName(text.replace("&", ""))
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        return button

    def _choice(self, choice: str, text: str, description: str) -> QPushButton:
        button = self._button(text, description)
        button.clicked.connect(lambda _=False: self.choose(choice))
        self.choice_buttons[choice] = button
        return button

    def show_call(self, call: ToolCallView) -> None:
        super().show_call(call)
        if self._shown is not None and call.state == CallState.WAITING:
            self._show_proposal(call)
        if call.state == CallState.WAITING:
            self._take_focus()
            self._title.setText(f"? {_asked(call.tool)}")
        said = done_text(call)
        if said:
            self._state.setText(said)
            self.setAccessibleName(tr("Memory: {state}", state=said))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.call.state == CallState.WAITING:
            self._take_focus()

    def _take_focus(self) -> None:
        """Once, when it first shows waiting: Keep takes the keyboard, so Enter keeps and Esc
        refuses, unless the user is writing elsewhere (a field with words in it)."""
        if self._focused or not self.isVisible() or "once" not in self.choice_buttons:
            return
        self._focused = True
        writing = QApplication.focusWidget()
        if isinstance(writing, QPlainTextEdit | QTextEdit) and writing.toPlainText().strip():
            return
        self.choice_buttons["once"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_proposal(self, call: ToolCallView) -> None:
        assert self._shown is not None
        text = proposed_text(call)
        if call.tool == "forget":
            self._shown.hide()
        elif self._shown.text() != text:
            self._shown.setText(text)
            self._shown.setAccessibleDescription(text)
        number = memory_number(call)
        if self._was is not None and number is not None and self._asked != number:
            self._asked = number
            self._was.setText(tr("Memory {n}", n=number))
            if self._words is not None:
                self._words(number, self._show_was)
        self.setAccessibleDescription(text)

    def _show_was(self, memory: MemoryView | None) -> None:
        if self._was is None:
            return
        if memory is None:
            said = tr("Memory {n} is not kept (deleted since?)", n=self._asked)
        elif self.call.tool == "forget":
            said = tr("Forget memory {n}: {text}", n=memory.id, text=memory.text)
        else:
            said = tr("Memory {n} now reads: {text}", n=memory.id, text=memory.text)
        self._was.setText(said)
        self._was.setAccessibleDescription(said)

    # -- deciding --------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self._editor is not None and self._editor.isVisible()

    def start_editing(self) -> None:
        """The proposed words become a field; Keep keeps what it holds."""
        if self._editor is None or self._shown is None or self.call.tool == "forget":
            return
        self._editor.setPlainText(proposed_text(self.call))
        self._editor.selectAll()
        self._shown.hide()
        self.choice_buttons["edit"].hide()  # Keep keeps the field's words; Esc gives them back
        self._editor.show()
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _stop_editing(self) -> None:
        if self._editor is not None and self._shown is not None:
            self._editor.hide()
            self._shown.show()
            self.choice_buttons["edit"].show()
            self.choice_buttons["once"].setFocus(Qt.FocusReason.OtherFocusReason)

    def choose(self, choice: str) -> None:
        """Keep (as proposed, or as edited) or refuse."""
        if self.call.state != CallState.WAITING:
            return
        if choice == "once" and self.editing:
            assert self._editor is not None
            edited = self._editor.toPlainText().strip()
            if edited and edited != proposed_text(self.call):
                arguments = {**arguments_of(self.call), "text": edited}
                self.decided.emit(self.call.call_id, Edited(json.dumps(arguments)))
                return
        self.decided.emit(self.call.call_id, choice)

    def event(self, event: QEvent) -> bool:
        # Enter and Esc are the card's while it waits, not the window's (Esc stops the answer).
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.call.state == CallState.WAITING
            and event.key() in (*_ENTER, Qt.Key.Key_Escape)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.call.state == CallState.WAITING and event.key() in _ENTER:
            self.choose("once")
        elif self.call.state == CallState.WAITING and event.key() == Qt.Key.Key_Escape:
            self.choose("deny")
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the field: Enter keeps (Shift+Enter starts a line), Esc gives the words back."""
        if watched is self._editor and isinstance(event, QKeyEvent):
            key, shifted = event.key(), event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress and key in _ENTER and not shifted:
                self.choose("once")
                return True
            if event.type() == QEvent.Type.KeyPress and key == Qt.Key.Key_Escape:
                self._stop_editing()
                return True
        return super().eventFilter(watched, event)


def _words_label(name: str, spoken: str) -> QLabel:
    label = plain_label("", name)  # the model's words are never markup
    label.setAccessibleName(spoken)
    return label
