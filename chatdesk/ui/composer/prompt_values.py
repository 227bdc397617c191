"""The values of a saved prompt's `{{variables}}`, asked for when it is taken from the slash
menu: the prompt's text (its beginning, for a long one), then one field per variable, in the
order they appear; the prompt goes to the composer with them filled in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from chatdesk.core.assistants.prompts import filled, variables
from chatdesk.core.i18n import tr

SHOWN_CHARS = 400  # of the prompt's text, above the fields
VALUES_STYLE = "#promptText { color: palette(placeholder-text); }"


class PromptValues(QDialog):
    def __init__(self, name: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(tr("Prompt “{name}”", name=name))
        self.setMinimumWidth(420)
        self._text = text
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        self.setStyleSheet(VALUES_STYLE)
        hint = QLabel(tr("Fill in the values; the prompt goes to the message box to send."))
        hint.setWordWrap(True)
        form.addRow(hint)
        shown = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1].rstrip() + "…"
        prompt = QLabel(shown, self)
        prompt.setObjectName("promptText")
        prompt.setTextFormat(Qt.TextFormat.PlainText)
        prompt.setWordWrap(True)
        form.addRow(prompt)
        for variable in variables(text):
            field = QLineEdit(self)
            field.setAccessibleName(variable)
            form.addRow(f"{variable}:", field)
            self.fields[variable] = field
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Use prompt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        # Its wrapped labels were measured narrower than it opens: no empty band at its foot.
        width = max(self.minimumWidth(), self.sizeHint().width())
        self.resize(width, form.totalHeightForWidth(width))

    def filled_text(self) -> str:
        """The prompt with the values given (a variable left empty stays as it is)."""
        values = {name: field.text() for name, field in self.fields.items() if field.text()}
        return filled(self._text, values)
