"""A warning kept to one line, its explanation shown on demand ("Details")."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.settings.notices import Notice, Tone, line_over_notes


class FoldedNotice(QWidget):
    """One short line with a Details button; the longer text unfolds under it."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.line = QLabel(self)
        self.line.setObjectName(f"{name}Line")
        self.line.setProperty("tone", Tone.INFO.value)
        self.line.setWordWrap(True)
        self.more = QToolButton(self)
        self.more.setObjectName(f"{name}Details")
        # translators: a button that shows the explanation of a short warning
        self.more.setText(tr("Details"))
        self.more.setAccessibleName(tr("Show the details"))
        self.more.setCheckable(True)
        self.more.setAutoRaise(True)
        self.detail = Notice(f"{name}Detail", self)
        self.more.toggled.connect(self._fold)
        line_over_notes(self, self.line, self.more, self.detail)
        self.hide()

    def say(self, line: str, detail: str) -> None:
        self.line.setText(f"⚠ {line}")
        self.line.setAccessibleName(line)
        self._detail = detail
        self.more.setChecked(False)
        self._fold(False)
        self.show()

    def _fold(self, unfolded: bool) -> None:
        if unfolded:
            self.detail.say(Tone.INFO, self._detail)
        else:
            self.detail.clear_notice()
