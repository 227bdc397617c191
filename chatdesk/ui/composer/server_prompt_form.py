"""The values of a tool server's prompt, asked for when it is taken from the slash menu: the
server's name and the prompt's description (as plain text: the server wrote them), then one
field per argument, the required ones marked; what the server suggests for a field shows
under it as the user types (`suggestions_asked`, answered by `suggest`). Enter gets the
prompt (once every required field holds a value), Esc cancels."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.core.tools.prompt_values import ServerPrompt
from chatdesk.ui.plain_text import plain_tip

FORM_STYLE = "#promptText { color: palette(placeholder-text); }"
SHOWN_CHARS = 400  # of the description


class ServerPromptForm(QDialog):
    suggestions_asked = Signal(str, str)  # argument's name, its value as typed

    def __init__(self, prompt: ServerPrompt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.prompt = prompt
        self.setWindowTitle(
            tr(
                "Prompt “{name}” from {server}",
                name=prompt.title or prompt.name,
                server=prompt.server,
            )
        )
        self.setMinimumWidth(420)
        self.setStyleSheet(FORM_STYLE)
        self.fields: dict[str, QLineEdit] = {}
        self._suggested: dict[str, QStringListModel] = {}
        form = QFormLayout(self)
        hint = QLabel(
            tr(
                "{server} fills in this prompt; it goes to the message box to edit and send.",
                server=prompt.server,
            ),
            self,
        )
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        form.addRow(hint)
        if prompt.description:
            text = prompt.description
            shown = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1].rstrip() + "…"
            about = QLabel(shown, self)
            about.setObjectName("promptText")
            about.setTextFormat(Qt.TextFormat.PlainText)
            about.setWordWrap(True)
            form.addRow(about)
        for argument in prompt.arguments:
            field = self._field(argument.name, argument.description)
            # translators: a field of a server's prompt that must be filled in
            label = (
                tr("{name} (required):", name=argument.label)
                if argument.required
                else f"{argument.label}:"
            )
            shown_label = QLabel(label, self)
            shown_label.setTextFormat(Qt.TextFormat.PlainText)
            shown_label.setBuddy(field)
            form.addRow(shown_label, field)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.use = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.use.setText(tr("Use prompt"))
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        form.addRow(self._buttons)
        self._update()
        width = max(self.minimumWidth(), self.sizeHint().width())
        self.resize(width, form.totalHeightForWidth(width))

    def _field(self, name: str, description: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setAccessibleName(name)
        field.setPlaceholderText(description.splitlines()[0] if description else "")
        field.setToolTip(plain_tip(description))
        suggested = QStringListModel(self)
        completer = QCompleter(suggested, field)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        field.setCompleter(completer)
        field.textEdited.connect(lambda value: self.suggestions_asked.emit(name, value))
        field.textChanged.connect(self._update)
        self.fields[name] = field
        self._suggested[name] = suggested
        return field

    def values(self) -> dict[str, str]:
        return {name: field.text() for name, field in self.fields.items() if field.text()}

    def suggest(self, argument: str, value: str, suggestions: list[str]) -> None:
        """What the server suggests for `argument` typed as `value` (dropped when the field
        holds something else by now)."""
        field = self.fields.get(argument)
        if field is None or field.text() != value:
            return
        self._suggested[argument].setStringList(suggestions)
        completer = field.completer()
        if suggestions and field.hasFocus():
            completer.setCompletionPrefix(value)
            completer.complete()

    def accept(self) -> None:
        if self.use.isEnabled():
            super().accept()

    def _update(self) -> None:
        needed = (a.name for a in self.prompt.arguments if a.required)
        self.use.setEnabled(all(self.fields[n].text().strip() for n in needed))
