"""Small dialogs about a thread's context: editing a summary, choosing a context window.

Both open without blocking (`open()`); the caller reads the result once they are accepted.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.budget import MAX_THREAD_WINDOW, MIN_THREAD_WINDOW
from chatdesk.core.i18n import ntr, number, tr


class SummaryEditor(QDialog):
    """The summary's text, to correct or shorten; the model reads the saved text from the
    next message on."""

    def __init__(self, text: str, meta: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Edit summary"))
        self.resize(560, 380)
        hint = QLabel(
            tr(
                "Summary of the earlier messages ({meta}). The model reads this text in their "
                "place.",
                meta=meta,
            )
        )
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        self.editor.setAccessibleName(tr("Summary text"))
        self.editor.setTabChangesFocus(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save = QPushButton(tr("Save"))
        self.save.setDefault(True)
        buttons.addButton(self.save, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.editor.textChanged.connect(
            lambda: self.save.setEnabled(bool(self.editor.toPlainText().strip()))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.editor.toPlainText()


class ContextWindowDialog(QDialog):
    """A context window for one thread, or the model's own."""

    def __init__(
        self, current: int | None, shown: int, title: str, parent: QWidget | None = None
    ) -> None:
        """`current`: the thread's own setting (None: none); `shown`: the window in use now."""
        super().__init__(parent)
        self.setWindowTitle(tr("Context window — {title}", title=title))
        hint = QLabel(
            tr(
                "How many tokens this chat's model can read at once. Set it when a local server "
                "runs the model with a smaller window than the model allows."
            )
        )
        hint.setWordWrap(True)
        self.model_own = QCheckBox(
            ntr(
                "Use the model's own window (now {count} tokens)",
                "Use the model's own window (now {count} tokens)",
                shown,
                count=number(shown),
            )
        )
        self.model_own.setAccessibleName(tr("Use the model's own context window"))
        self.tokens = QSpinBox()
        self.tokens.setAccessibleName(tr("Context window in tokens"))
        self.tokens.setRange(MIN_THREAD_WINDOW, MAX_THREAD_WINDOW)
        self.tokens.setSingleStep(1024)
        self.tokens.setGroupSeparatorShown(True)
        # translators: the unit after the number of tokens in a field; keep its leading space
        self.tokens.setSuffix(tr(" tokens"))
        self.tokens.setValue(current or shown or MIN_THREAD_WINDOW)
        self.model_own.toggled.connect(lambda own: self.tokens.setEnabled(not own))
        self.model_own.setChecked(current is None)
        self.tokens.setEnabled(current is not None)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.model_own)
        layout.addWidget(self.tokens)
        layout.addWidget(buttons)

    def window_tokens(self) -> int | None:
        """The chosen window; None: the model's own."""
        return None if self.model_own.isChecked() else self.tokens.value()
