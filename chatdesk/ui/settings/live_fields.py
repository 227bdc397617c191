"""Settings that take effect as they change, with no OK button: each control says when its value
is one to apply, and a number typed outside its field's bounds is named beside the field.

A choice or a tick applies at once; a number field applies when its arrows step or when the
typing ends (Enter, or the focus leaving it), never per keystroke; a text box applies when the
focus leaves it, a line of text on Enter too. A number typed out of bounds is not applied: the
field goes back to its last good value and says, beside it, what it takes ("Between 10 and
100").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

from PySide6.QtCore import QEvent, QLocale, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QKeySequenceEdit,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.settings.notices import Notice, Tone

Number = QSpinBox | QDoubleSpinBox


def watch(controls: Iterable[QWidget], apply: Callable[[], object]) -> list[QObject]:
    """Call `apply()` whenever one of `controls` holds a new value to use. Returns the helpers
    that watch text boxes and number fields (kept alive by their control)."""
    helpers: list[QObject] = []
    for control in controls:
        if isinstance(control, QComboBox):
            control.currentIndexChanged.connect(lambda _=0: apply())
        elif isinstance(control, QAbstractButton):
            control.toggled.connect(lambda _=False: apply())
        elif isinstance(control, (QSpinBox, QDoubleSpinBox)):
            control.setKeyboardTracking(False)  # a value is final once the typing ends
            helpers.append(BoundsCheck(control))
            control.valueChanged.connect(lambda _=0: apply())
        elif isinstance(control, QPlainTextEdit):
            helpers.append(_FocusLeft(control, apply))
        elif isinstance(control, QLineEdit):  # applied on Enter or as the focus leaves
            control.editingFinished.connect(apply)
        elif isinstance(control, QKeySequenceEdit):  # keys pressed (a moment after), or cleared
            control.editingFinished.connect(apply)
            control.keySequenceChanged.connect(lambda keys: keys.isEmpty() and apply())
    return helpers


class _FocusLeft(QObject):
    def __init__(self, box: QPlainTextEdit, left: Callable[[], object]) -> None:
        super().__init__(box)
        self._left = left
        box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._left()
        return False


class BoundsCheck(QObject):
    """Says beside a number field that what was typed is out of its bounds (the field itself
    goes back to its last good value, which stays in use)."""

    def __init__(self, field: Number) -> None:
        super().__init__(field)
        self._field = field
        self._typed = ""
        self._good = field.value()  # the value in use, put back after a refused number
        self._refused_key = False
        self._about = field.accessibleDescription()
        self.error = Notice(f"{field.objectName() or 'field'}Error")
        line = field.lineEdit()
        assert line is not None
        line.textEdited.connect(self._remember)
        field.installEventFilter(self)  # a key the field refuses (past its largest) is named too
        field.editingFinished.connect(self._check)
        field.valueChanged.connect(lambda _=0: self._clear())
        _place_beside(field, self.error)

    def _remember(self, text: str) -> None:
        self._typed = text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        key = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
        if key and isinstance(event, QKeyEvent) and event.text().isdigit():
            self._refused(self._with_key(event.text()))
        return False

    def _with_key(self, key: str) -> str:
        """The field's text once `key` replaced the selection (or went in at the cursor)."""
        line = self._field.lineEdit()
        assert line is not None
        text, start = line.text(), line.cursorPosition()
        if line.hasSelectedText():
            start = line.selectionStart()
            return text[:start] + key + text[start + len(line.selectedText()) :]
        return text[:start] + key + text[start:]

    def _refused(self, text: str) -> None:
        value = _number(self._field, text)
        if value is not None and value > self._field.maximum():
            self._refused_key = True
            self._say_bounds()

    def _check(self) -> None:
        typed, self._typed = self._typed, ""
        refused, self._refused_key = self._refused_key, False
        value = _number(self._field, typed) if typed else None
        if refused or (value is not None and not self._within(value)):
            _set(self._field, self._good)  # what was typed is not used
            self._say_bounds()
        self._good = self._field.value()

    def _within(self, value: float) -> bool:
        return self._field.minimum() <= value <= self._field.maximum()

    def _say_bounds(self) -> None:
        text = tr(
            "Between {low} and {high}",
            low=_shown(self._field, self._field.minimum()),
            high=_shown(self._field, self._field.maximum()),
        )
        self.error.say(Tone.ERROR, text)
        self._field.setAccessibleDescription(text)

    def _clear(self) -> None:
        if self.error.text():
            self.error.clear_notice()
            self._field.setAccessibleDescription(self._about)


def _set(field: Number, value: float) -> None:
    if isinstance(field, QSpinBox):
        field.setValue(round(value))
    else:
        field.setValue(value)


def _shown(field: Number, value: float) -> str:
    """`value` as the field writes it, without its prefix and suffix."""
    if isinstance(field, QSpinBox):
        return field.textFromValue(round(value))
    return field.textFromValue(value)


def _number(field: Number, typed: str) -> float | None:
    """The number in what was typed, without the field's prefix, suffix and separators."""
    text = typed.strip()
    for part in (field.prefix().strip(), field.suffix().strip()):
        if part:
            text = text.replace(part, "")
    locale = QLocale()
    text = text.replace(locale.groupSeparator(), "").strip()
    number, ok = locale.toDouble(text)
    if not ok:
        try:
            return float(text)
        except ValueError:
            return None
    return number


def _place_beside(field: QWidget, error: QWidget) -> None:
    """Put `error` in the layout that holds `field`, just after it (under it in a form)."""
    holder = field.parentWidget()
    layout = _holding(holder.layout(), field) if holder is not None else None
    if layout is None:
        error.setParent(holder)
        return
    if isinstance(layout, QFormLayout):
        position = cast("tuple[int, object]", layout.getWidgetPosition(field))
        layout.insertRow(position[0] + 1, "", error)
    elif isinstance(layout, QBoxLayout):
        layout.insertWidget(layout.indexOf(field) + 1, error)
    elif isinstance(layout, QGridLayout):
        row, column, _, span = cast(
            "tuple[int, int, int, int]", layout.getItemPosition(layout.indexOf(field))
        )
        free = layout.itemAtPosition(row, column + span) is None
        if free:  # on its right
            layout.addWidget(error, row, column + span)
        else:  # under the grid
            layout.addWidget(error, layout.rowCount(), 0, 1, layout.columnCount())
    else:
        error.setParent(holder)


def _holding(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    """The layout, among `layout` and those nested in it, that holds `widget` itself."""
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for index in range(layout.count()):
        item = layout.itemAt(index)
        inner = item.layout() if item is not None else None
        found = _holding(inner, widget)
        if found is not None:
            return found
    return None
