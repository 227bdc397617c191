"""Sentences shown in place: an error under a field, a success, a warning box.

Colours are picked for the theme in use (a red that reads on white is too dark on the dark
palette), so the settings dialog sets `notice_style(dark)` again when the theme changes.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from chatdesk.ui.theme.colours import colours


class Tone(enum.StrEnum):
    INFO = "info"  # plain text, e.g. where a key is kept
    SUCCESS = "success"
    ERROR = "error"
    WARNING = "warning"  # boxed: something to read before going on
    BUSY = "busy"  # "Connecting…"


# Each tone's colour role reads at 4.5:1 or better on its look's window colour (PAIRS).
_ROLES = {Tone.SUCCESS: "success", Tone.ERROR: "danger", Tone.WARNING: "warning"}


def notice_style(dark: bool) -> str:
    roles = colours("dark" if dark else "light")
    tone = {tone: roles[role] for tone, role in _ROLES.items()}
    return f"""
QLabel[tone="info"], QLabel[tone="busy"] {{ color: palette(placeholder-text); }}
QLabel[tone="success"] {{ color: {tone[Tone.SUCCESS]}; }}
QLabel[tone="error"] {{ color: {tone[Tone.ERROR]}; }}
QLabel[tone="warning"] {{
    background: palette(alternate-base);
    border: 1px solid palette(midlight);
    border-left: 3px solid {tone[Tone.WARNING]};
    border-radius: 4px;
    padding: 6px 8px;
}}
"""


class Notice(QLabel):
    """A label that is hidden until there is something to say."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        # Errors can be copied into a search or a bug report.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    @property
    def tone(self) -> Tone | None:
        value = self.property("tone")
        return Tone(value) if self.text() and value else None

    def say(self, tone: Tone, text: str) -> None:
        self.setText(text)
        self.setProperty("tone", tone.value)
        self.style().unpolish(self)  # a changed property takes effect only when re-polished
        self.style().polish(self)
        # A label polished before (shown once without a tone) keeps its old padding until told
        # its style changed: a warning's text would sit on its left border.
        QApplication.sendEvent(self, QEvent(QEvent.Type.StyleChange))
        self.setVisible(bool(text))

    def clear_notice(self) -> None:
        self.setText("")
        self.hide()


def line_over_notes(owner: QWidget, line: QWidget, button: QWidget, *under: QWidget) -> None:
    """Lay `owner` out as `line` with its `button` at the end of the row, and what is said
    about them (`under`: notices, a check box) below, all flush with `owner`'s edges."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(line, 1)
    row.addWidget(button)
    column = QVBoxLayout(owner)
    column.setContentsMargins(0, 0, 0, 0)
    column.addLayout(row)
    for widget in under:
        column.addWidget(widget)
