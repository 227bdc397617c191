"""A message being edited, in place of its bubble: a box the size of its text (it grows as
lines are added, up to `MAX_LINES`, then scrolls), Save & send and Cancel; Escape cancels and
Ctrl+Enter saves, so the words show once and the keyboard alone can finish the edit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr

MAX_LINES = 12  # past this many lines the box scrolls instead of growing


class _Box(QPlainTextEdit):
    saved = Signal()
    cancelled = Signal()

    def event(self, event: QEvent) -> bool:
        # Escape is the window's Stop too: while editing, it is the editor's.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            mods & Qt.KeyboardModifier.ControlModifier
        ):
            self.saved.emit()
        else:
            super().keyPressEvent(event)


class MessageEditor(QWidget):
    finished = Signal(object)  # the new text, or None when cancelled

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageEditor")
        self.box = _Box(text)
        self.box.setAccessibleName(tr("Edit your message"))
        self.box.setTabChangesFocus(True)  # as the window's other editors: Tab goes to Save
        self.box.setFrameShape(QFrame.Shape.StyledPanel)
        self.box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        save = QPushButton(tr("Save && send"))
        save.setAccessibleName(tr("Save and send"))
        save.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addLayout(buttons)
        save.clicked.connect(self._save)
        self.box.saved.connect(self._save)
        cancel.clicked.connect(lambda: self.finished.emit(None))
        self.box.cancelled.connect(lambda: self.finished.emit(None))
        self.box.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _save(self) -> None:
        self.finished.emit(self.box.toPlainText())

    def _fit(self, *_: object) -> None:
        """As tall as its lines (wrapped ones too), between one and `MAX_LINES`."""
        lines = int(self.box.document().documentLayout().documentSize().height())
        shown = max(1, min(lines, MAX_LINES))
        margins = self.box.contentsMargins()
        frame = 2 * self.box.document().documentMargin() + margins.top() + margins.bottom()
        self.box.setFixedHeight(round(shown * self.box.fontMetrics().lineSpacing() + frame) + 2)

    def resizeEvent(self, event: object) -> None:  # new width, new wrapping
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()
