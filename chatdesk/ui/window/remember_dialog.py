"""Remember this…: a small dialog with a message's words (or the part of them selected), to edit
before they are kept as a memory, and whose chats the memory is for (everyone, this chat's
assistant, this chat's project). Keep asks the core (`keep(text, place)`); a refusal (empty,
too long) is said in the dialog, which stays open with the words."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr


@dataclass(frozen=True)
class ForWhom:
    """Whose chats a new memory is for: neither (everyone), an assistant's or a project's."""

    assistant_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


# The dialog asks for the memory to be kept, then calls `refused(error words)` on a refusal or
# `kept()` when it was kept.
Keep = Callable[[str, ForWhom, Callable[[str], None], Callable[[], None]], None]


class RememberDialog(QDialog):
    def __init__(
        self,
        text: str,
        places: list[tuple[str, ForWhom]],
        keep: Keep,
        parent: QWidget | None = None,
    ) -> None:
        """`places`: (what the user reads, whose) to choose from, everyone's first."""
        super().__init__(parent)
        self.setWindowTitle(tr("Remember this"))
        self.setAccessibleName(tr("Remember this"))
        self._keep = keep
        column = QVBoxLayout(self)
        said = QLabel(
            tr(
                "chatdesk will keep these words on this computer and give them to the "
                "model in later chats. Edit them first if you like."
            )
        )
        said.setWordWrap(True)
        column.addWidget(said)
        self.words = QPlainTextEdit(text)
        self.words.setAccessibleName(tr("The memory's words"))
        self.words.setTabChangesFocus(True)
        self.words.selectAll()
        column.addWidget(self.words, 1)
        form = QFormLayout()
        self.whom = QComboBox()
        self.whom.setAccessibleName(tr("For", context="memory"))
        for label, place in places:
            self.whom.addItem(label, place)
        # translators: whose chats a memory is given in: Everyone, an assistant's, a project's
        form.addRow(tr("&For:", context="memory"), self.whom)
        column.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("memoryError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        column.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # translators: the button of Remember this… that keeps the memory
        self.keep_button = buttons.addButton(tr("&Keep"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.setAccessibleName(tr("Keep"))
        self.keep_button.setDefault(True)
        buttons.accepted.connect(self._asked)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.resize(460, 300)
        self.words.setFocus()

    def _asked(self) -> None:
        place = self.whom.currentData()
        assert isinstance(place, ForWhom)
        self.keep_button.setEnabled(False)  # once: the core answers before another Keep
        self._keep(self.words.toPlainText(), place, self._refused, self.accept)

    def _refused(self, why: str) -> None:
        self.keep_button.setEnabled(True)
        self.error.setText(why)
        self.error.setAccessibleName(why)
        self.error.show()
        self.words.setFocus()
