"""The dialog of a long export or import: progress and Cancel while it runs, then what came of
it (counts, and the entries that could not be imported with why). Not modal: the window stays
usable while a large history comes in.

Everything shown is plain text: titles and reasons come from the file being imported.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr

STEPS = 1000  # the bar's resolution; sizes in bytes would overflow its int past 2 GB


class TransferDialog(QDialog):
    progressed = Signal()  # the bar or the counts moved
    finished_showing = Signal()  # the outcome is shown; the task is over

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.cancel = threading.Event()  # read by the core between batches, on its threads
        self.running = True
        self.heading = _plain("transferHeading")
        self.heading.setText(title)
        self.heading.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(tr("Progress"))
        self.bar.setRange(0, 0)  # until the first report: busy
        self.counts = _plain("transferCounts")
        self.counts.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(tr("Entries not imported"))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details.hide()
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.request_cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.bar)
        layout.addWidget(self.counts)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.setStyleSheet("#transferHeading { font-weight: 600; }")

    def show_progress(self, fraction: float, text: str) -> None:
        self.bar.setRange(0, STEPS)
        self.bar.setValue(round(min(max(fraction, 0.0), 1.0) * STEPS))
        self.counts.setText(text)
        self.progressed.emit()

    def request_cancel(self) -> None:
        if self.running and not self.cancel.is_set():
            self.cancel.set()
            self.cancel_button.setEnabled(False)
            stopping = tr("Stopping after the part in hand…")
            self.counts.setText(f"{self.counts.text()}\n{stopping}".strip())

    def show_outcome(self, heading: str, text: str, details: Sequence[str] = ()) -> None:
        """The task is over: say how it went; `details` lists what went wrong, one per line."""
        self.running = False
        self.heading.setText(heading)
        self.bar.hide()
        self.counts.setText(text)
        self.details.setPlainText("\n".join(details))
        self.details.setVisible(bool(details))
        self.cancel_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.adjustSize()
        self.finished_showing.emit()

    # While the task runs, Esc and the title bar's close button mean Cancel: the dialog stays
    # until the task has stopped, so it can say what was kept.
    def reject(self) -> None:
        if self.running:
            self.request_cancel()
        else:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            self.request_cancel()
            event.ignore()
        else:
            super().closeEvent(event)


def _plain(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
