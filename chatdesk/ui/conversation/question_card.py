"""A tool server's question, inline under the call that is running: "‹server› asks:" (so no
server can pose as chatdesk), its message as plain text, and either a form made from what it
asks for (a line for text, a spin box for a number, a check box for yes/no, a list for a
choice; required values marked, what is wrong said beside the value) or, for a URL question,
the whole address with its host set apart, opened in the browser only after the person
confirms. Accept / Decline / Cancel; Enter accepts when the answer is right, Esc cancels.

Everything the server sent is untrusted: shown as plain text, never as markup."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.core.tools.questions import (
    CANCEL,
    DECLINE,
    Answer,
    Field,
    Kind,
    Question,
    Value,
    problems,
)
from chatdesk.ui.conversation.frame import plain_label
from chatdesk.ui.conversation.question_fields import ChoicesBox
from chatdesk.ui.conversation.wheel_safe import ComboBox, DoubleSpinBox, SpinBox
from chatdesk.ui.plain_text import plain_tip

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MOST = 1e12
_WEB = re.compile(r"^https?://", re.IGNORECASE)  # a number's bound when the server gives none
# Go to the question waiting (it does not take the focus from words being typed elsewhere).
KEYS = "Ctrl+J"


class QuestionCard(QFrame):
    """`answered(Answer)` once, when the person accepts, declines or cancels. `open_url(url)`
    opens an address in the browser (the desktop's, by default)."""

    answered = Signal(object)

    def __init__(
        self, question: Question, open_url: Callable[[str], bool], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("toolText")
        self.question = question
        self._open_url = open_url
        self._done = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(_strong(tr("{server} asks:", server=question.server)))
        layout.addWidget(plain_label(question.message, "questionMessage"))
        if question.refused:
            layout.addWidget(plain_label(question.refused, "toolError"))
        self._grid = QGridLayout()  # a value per row: its name, its input, what is wrong
        self._grid.setColumnStretch(1, 1)
        layout.addLayout(self._grid)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._confirm: QWidget | None = None
        if question.url is not None:
            self._add_address(layout, question.url)
        else:
            for one in question.fields:
                self._add_field(layout, one)
        self.buttons = self._add_buttons(layout)
        self.keys_hint = self._add_keys(layout)
        if question.url is not None and not _WEB.match(question.url):
            self.buttons["accept"].setEnabled(False)
        self.setAccessibleName(
            tr("{server} asks: {message}", server=question.server, message=question.message)
        )
        self._check()

    # -- building --------------------------------------------------------------------------------

    def _add_address(self, layout: QVBoxLayout, url: str) -> None:
        # The host, set apart: where the address really goes.
        layout.addWidget(_strong(self.question.host or tr("(no host)")))
        address = plain_label(url, "questionAddress")
        address.setWordWrap(True)
        layout.addWidget(address)
        self.address = address
        if not _WEB.match(url):
            layout.addWidget(plain_label(tr("chatdesk opens only web addresses."), "toolCaption"))

    def _add_field(self, layout: QVBoxLayout, one: Field) -> None:
        label = QLabel(one.label + (" *" if one.required else ""))
        label.setTextFormat(Qt.TextFormat.PlainText)
        field = self._input(one)
        field.setAccessibleName(one.label + (" " + tr("(required)") if one.required else ""))
        if one.description:
            field.setToolTip(plain_tip(one.description))
            field.setAccessibleDescription(one.description)
        label.setBuddy(field)
        error = QLabel()
        error.setObjectName("toolError")
        error.setTextFormat(Qt.TextFormat.PlainText)
        row = self._grid.rowCount()
        # Beside a column of choices, its name and what is wrong stand at its top.
        top = Qt.AlignmentFlag.AlignTop if one.kind is Kind.CHOICES else Qt.AlignmentFlag(0)
        self._grid.addWidget(label, row, 0, top)
        self._grid.addWidget(field, row, 1)
        self._grid.addWidget(error, row, 2, top)
        if one.description:
            self._grid.addWidget(plain_label(one.description, "toolCaption"), row + 1, 1, 1, 2)
        self.inputs[one.name] = field
        self.errors[one.name] = error

    def _input(self, one: Field) -> QWidget:
        if one.kind is Kind.YES_NO:
            box = QCheckBox()
            box.setChecked(one.default is True)
            box.toggled.connect(self._check)
            return box
        if one.kind is Kind.CHOICE:
            combo = ComboBox()
            if not one.required and one.default is None:
                combo.addItem(tr("(none)"), None)
            for value, title in zip(one.options, one.option_titles, strict=False):
                combo.addItem(title, value)
            if one.default is not None and one.default in one.options:
                combo.setCurrentIndex(combo.findData(one.default))
            combo.currentIndexChanged.connect(self._check)
            return combo
        if one.kind in (Kind.NUMBER, Kind.WHOLE):
            return self._spin(one)
        if one.kind is Kind.CHOICES:
            boxes = ChoicesBox(one)
            boxes.changed.connect(self._check)
            return boxes
        line = QLineEdit("" if one.default is None else str(one.default))
        line.textChanged.connect(self._check)
        return line

    def _spin(self, one: Field) -> QWidget:
        spin: QSpinBox | QDoubleSpinBox
        low = one.minimum if one.minimum is not None else -_MOST
        high = one.maximum if one.maximum is not None else _MOST
        if one.kind is Kind.WHOLE:
            spin = SpinBox()
            spin.setRange(int(max(low, -(2**31) + 1)), int(min(high, 2**31 - 1)))
        else:
            spin = DoubleSpinBox()
            spin.setDecimals(4)
            spin.setRange(low, high)
        default = one.default
        if isinstance(default, int | float) and not isinstance(default, bool):
            if isinstance(spin, QSpinBox):
                spin.setValue(int(default))
            else:
                spin.setValue(float(default))
        elif not one.required:  # its lowest value stands for "none given"
            if isinstance(spin, QSpinBox):
                spin.setMinimum(spin.minimum() - 1)
                spin.setValue(spin.minimum())
            else:
                spin.setMinimum(spin.minimum() - 1)
                spin.setValue(spin.minimum())
            spin.setSpecialValueText(tr("(none)"))
        spin.valueChanged.connect(self._check)
        return spin

    def _add_buttons(self, layout: QVBoxLayout) -> dict[str, QPushButton]:
        row = QHBoxLayout()
        made: dict[str, QPushButton] = {}
        accept = tr("Open in browser…") if self.question.url is not None else tr("Accept")
        for name, text, then in (
            ("accept", accept, self.accept),
            ("decline", tr("Decline"), lambda: self._answer(DECLINE)),
            ("cancel", tr("Cancel"), lambda: self._answer(CANCEL)),
        ):
            button = QPushButton(text)
            button.setObjectName("toolChoice")
            button.clicked.connect(then)
            row.addWidget(button)
            made[name] = button
        row.addStretch(1)
        layout.addLayout(row)
        return made

    def _add_keys(self, layout: QVBoxLayout) -> QLabel:
        """The keys that go to the question from anywhere in the window, and a line saying so
        (shown when the question did not take the focus)."""
        keys = QShortcut(QKeySequence(KEYS), self)
        keys.setContext(Qt.ShortcutContext.WindowShortcut)
        keys.activated.connect(self.focus_first)
        keys.activatedAmbiguously.connect(self.focus_first)  # another question waits: in turn
        shown = QKeySequence(KEYS).toString(QKeySequence.SequenceFormat.NativeText)
        said = tr("{keys}: answer the question", keys=f"\u2066{shown}\u2069")  # left to right
        hint = plain_label(said, "toolCaption")
        hint.hide()
        layout.addWidget(hint)
        self.setAccessibleDescription(said)
        return hint

    def wait_for_keys(self) -> None:
        """Leave the focus where it is (the person is typing) and say how to come here."""
        self.keys_hint.show()
        QTimer.singleShot(0, self, self.bring_into_view)  # once the card is laid out

    def bring_into_view(self) -> None:
        """Scroll the conversation until the question is in sight."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            area.ensureWidgetVisible(self)

    # -- answering -------------------------------------------------------------------------------

    def values(self) -> dict[str, Value]:
        """The answer as the form holds it (values left empty are not given)."""
        values: dict[str, Value] = {}
        for one in self.question.fields:
            value = _value(self.inputs[one.name])
            if value is not None:
                values[one.name] = value
        return values

    def _check(self) -> bool:
        if self.question.url is not None:
            return bool(_WEB.match(self.question.url))
        found = problems(self.question.fields, self.values())
        for name, error in self.errors.items():
            error.setText(found.get(name, ""))
        self.buttons["accept"].setEnabled(not found)
        return not found

    def accept(self) -> None:
        if self.question.url is not None:
            if self._check():
                self._ask_to_open()
        elif self._check():
            self._answer(Answer.accept(self.values()))

    def _ask_to_open(self) -> None:
        """The address opens only once the person has seen it and said so here."""
        if self._confirm is not None:
            return
        confirm = QWidget()
        column = QVBoxLayout(confirm)  # the words on a line of their own, the buttons under
        column.setContentsMargins(0, 0, 0, 0)
        self._confirm_words = plain_label(tr("Open this address in your browser?"), "toolCaption")
        column.addWidget(self._confirm_words)
        row = QHBoxLayout()
        column.addLayout(row)
        self._confirm_row = row
        yes = QPushButton(tr("Open"))
        yes.setObjectName("toolChoice")
        yes.clicked.connect(self._open)
        back = QPushButton(tr("Not now"))
        back.setObjectName("toolChoice")
        back.clicked.connect(self._not_now)
        row.addWidget(yes)
        row.addWidget(back)
        row.addStretch(1)  # the buttons as wide as their words
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, confirm)
        self._confirm = confirm
        self.buttons["open"] = yes
        yes.setFocus()

    def _not_now(self) -> None:
        if self._confirm is not None:
            self._confirm.hide()
            self._confirm.deleteLater()
            self._confirm = None
            self.buttons.pop("open", None)
            self.buttons["accept"].setFocus()

    def _open(self) -> None:
        """Accepted once the browser opened; with none, the address is the person's to copy
        and open, and they say when they have (the server is never told a page opened when
        none did)."""
        url = self.question.url
        assert url is not None
        if self._open_url(url):
            self._answer(Answer.accept())
            return
        yes = self.buttons["open"]
        self._confirm_words.setText(
            tr("No browser could be opened: copy the address, open it yourself, then say so.")
        )
        yes.setText(tr("Copy address"))
        done = QPushButton(tr("I opened it"))
        done.setObjectName("toolChoice")
        done.clicked.connect(lambda: self._answer(Answer.accept()))
        yes.clicked.disconnect()
        yes.clicked.connect(lambda: _copy(url, then=done))
        self._confirm_row.insertWidget(self._confirm_row.indexOf(yes) + 1, done)
        self.buttons["opened"] = done
        yes.setFocus()

    def _answer(self, answer: Answer) -> None:
        if self._done:
            return
        self._done = True
        self.setEnabled(False)
        self.answered.emit(answer)

    def focus_first(self) -> None:
        if self._done:
            return
        self.keys_hint.hide()
        first = next(iter(self.inputs.values()), None) or self.buttons["accept"]
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.bring_into_view()

    def event(self, event: QEvent) -> bool:
        # Enter and Esc are the question's while it is asked, not the window's (Esc stops).
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (*_ENTER, Qt.Key.Key_Escape)
            and not self._done
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER and not self._done:
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused is not self.buttons["accept"]:
                focused.click()  # Enter on Decline declines, on Open opens
            else:
                self.accept()
        elif event.key() == Qt.Key.Key_Escape and not self._done:
            self._answer(CANCEL)
        else:
            super().keyPressEvent(event)


def _strong(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _value(field: QWidget) -> Value | None:
    if isinstance(field, ChoicesBox):
        return field.value() or None  # none ticked: not given
    if isinstance(field, QCheckBox):
        return field.isChecked()
    if isinstance(field, QComboBox):
        data = field.currentData()
        return data if isinstance(data, str) else None
    if isinstance(field, QSpinBox | QDoubleSpinBox):
        if field.specialValueText() and field.value() == field.minimum():
            return None
        return field.value()
    assert isinstance(field, QLineEdit)
    return field.text() or None


def _copy(text: str, then: QWidget) -> None:
    """`text` to the clipboard, and the focus to `then` (what the person does next)."""
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText(text)
    then.setFocus()
