"""About chatdesk and Report a problem: what the user reads, and a button that copies the same
facts for a bug report. Nothing is opened or sent: the user pastes it where they choose."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk import __version__
from chatdesk.core.i18n import language, tr
from chatdesk.ui.help.shortcuts import left_to_right


@dataclass(frozen=True)
class Facts:
    """What a report about this chatdesk says: no key, no address, no chat."""

    data_folder: Path | None
    log_folder: Path | None
    theme: str
    zoom: int
    provider: str  # the kind of provider new chats use ("mock", "openai"…), never its key


def summary(facts: Facts) -> str:
    """The facts as lines to paste in a report (English words: read by whoever fixes it)."""
    unknown = "(not known yet)"
    lines = [
        f"chatdesk {__version__} (MIT licence)",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Qt {qVersion()}, PySide6 {pyside_version}",
        f"System: {platform.platform()} ({sys.platform})",
        f"Language: {language()}; theme: {facts.theme}; zoom: {facts.zoom} %",
        f"Provider of new chats: {facts.provider}",
        f"Data folder: {facts.data_folder or unknown}",
        f"Log folder: {facts.log_folder or unknown}",
    ]
    return "\n".join(lines)


class FactsDialog(QDialog):
    """Words for the user above the facts, and a button that copies the facts."""

    def __init__(
        self, title: str, words: str, facts: str, copy: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.words = QLabel(words, self)
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QPlainTextEdit(facts, self)
        self.facts.setReadOnly(True)
        self.facts.setAccessibleName(tr("Details"))
        self.facts.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton(copy, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._copy)
        buttons.rejected.connect(self.reject)
        self.said = QLabel("", self)
        layout = QVBoxLayout(self)
        for widget in (self.words, self.facts, self.said, buttons):
            layout.addWidget(widget)
        self.resize(560, 360)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.facts.toPlainText())
        self.said.setText(tr("Copied. Paste it into your report."))


def about_dialog(facts: Facts, parent: QWidget | None = None) -> FactsDialog:
    words = tr(
        "chatdesk {version}, a desktop client for chatting with AI models. Free software under "
        "the MIT licence. Your chats are kept on this computer, in the data folder below.",
        version=__version__,
    )
    return FactsDialog(
        tr("About chatdesk"), words, summary(facts), tr("&Copy for a bug report"), parent
    )


def report_dialog(facts: Facts, parent: QWidget | None = None) -> FactsDialog:
    log = left_to_right(str(facts.log_folder)) if facts.log_folder else tr("not known yet")
    words = tr(
        "To report a problem, say what you did, what you expected and what happened instead, "
        "and paste the summary below. It has no keys and no chat text. If chatdesk showed an "
        "error, the log in {folder} helps too: read it first, it may name your files.",
        folder=log,
    )
    return FactsDialog(
        tr("Report a problem"), words, summary(facts), tr("&Copy the summary"), parent
    )
