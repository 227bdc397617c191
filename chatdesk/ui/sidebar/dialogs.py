"""Project dialogs (create / edit) and the one yes-or-cancel question the sidebar asks.

Both open window-modal with `open()`, never `exec()`: a nested event loop would stall the
asyncio loop that qasync runs inside Qt's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from chatdesk.core.i18n import mark, tr
from chatdesk.core.views import ProjectSettings, ProjectView

# translators: the model choice that leaves a project on the app's default model
APP_DEFAULT = mark("App default")


class ProjectDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        project: ProjectView | None = None,
        models: Sequence[tuple[str, str]] = (),
        servers: Sequence[tuple[str, str]] = (),
        assistants: Sequence[tuple[uuid.UUID, str, QIcon]] = (),
        bases: Sequence[tuple[str, str]] = (),
        linked: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(
            tr("Project “{name}”", name=project.name) if project else tr("New project")
        )
        self.setMinimumWidth(420)
        self._make_texts(project)
        self._make_defaults(project, models, assistants)
        self._make_lists(project, servers, bases, linked)
        self._make_buttons(project)
        self._lay_out(bool(bases))
        self._update_ok()

    def _make_texts(self, project: ProjectView | None) -> None:
        """The project's name and system prompt."""
        self.name = QLineEdit(project.name if project else "")
        self.name.setPlaceholderText(tr("Project name"))
        _describe(self.name, tr("Project name"), tr("The name shown in the sidebar."))
        self.prompt = QPlainTextEdit(project.system_prompt or "" if project else "")
        self.prompt.setPlaceholderText(tr("Instructions for every chat in this project (optional)"))
        self.prompt.setTabChangesFocus(True)
        _describe(
            self.prompt,
            tr("System prompt"),
            tr("Sent to the model before each chat's messages."),
        )

    def _make_defaults(
        self,
        project: ProjectView | None,
        models: Sequence[tuple[str, str]],
        assistants: Sequence[tuple[uuid.UUID, str, QIcon]],
    ) -> None:
        """The model and the assistant new chats in the project start with."""
        self.model = _model_combo(models, project)
        _describe(self.model, tr("Default model"), tr("The model new chats in this project use."))
        self.assistant = _assistant_combo(assistants, project)
        _describe(
            self.assistant,
            tr("Default assistant"),
            tr("Who answers in new chats of this project."),
        )

    def _make_lists(
        self,
        project: ProjectView | None,
        servers: Sequence[tuple[str, str]],
        bases: Sequence[tuple[str, str]],
        linked: Sequence[str],
    ) -> None:
        """The tool servers and knowledge bases new chats in the project start with, ticked."""
        self.tools = _tool_list(servers, project.tools if project else ())
        _describe(
            self.tools,
            tr("Tools"),
            tr("The tool servers new chats in this project start with; each chat can change them."),
        )
        self.knowledge = _tool_list(bases, linked)
        _describe(
            self.knowledge,
            tr("Knowledge bases"),
            tr("Every chat in this project answers from these, citing their passages."),
        )

    def _make_buttons(self, project: ProjectView | None) -> None:
        """Create (Save when editing) and Cancel; Create only once there is a name."""
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self.ok_button = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Create") if project is None else tr("Save"))
        self.name.textChanged.connect(self._update_ok)

    def _lay_out(self, bases: bool) -> None:
        form = QFormLayout(self)
        form.addRow(tr("&Name"), self.name)
        form.addRow(tr("System &prompt"), self.prompt)
        form.addRow(tr("Default &model"), self.model)
        form.addRow(tr("Default &assistant"), self.assistant)
        tools_label = QLabel(tr("&Tools"))
        tools_label.setBuddy(self.tools)
        form.addRow(tools_label, self.tools)
        caption = QLabel(
            tr("New chats in this project start with these; each chat can change them.")
        )
        caption.setWordWrap(True)
        caption.setObjectName("formHint")
        form.addRow("", caption)
        if bases:
            knowledge_label = QLabel(tr("&Knowledge"))
            knowledge_label.setBuddy(self.knowledge)
            form.addRow(knowledge_label, self.knowledge)
        else:
            self.knowledge.hide()
        form.addRow(self._buttons)

    def settings(self) -> ProjectSettings:
        prompt = self.prompt.toPlainText().strip()
        provider, model = self._chosen_model()
        tools = _ticked(self.tools)
        name = " ".join(self.name.text().split())
        assistant = self.assistant.currentData()
        chosen = uuid.UUID(hex=assistant) if assistant else None
        bases = tuple(uuid.UUID(hex=key) for key in _ticked(self.knowledge))
        return ProjectSettings(name, prompt or None, provider, model, tools, chosen, bases)

    def _chosen_model(self) -> tuple[str | None, str | None]:
        text = self.model.currentText().strip()
        if not text or text == tr(APP_DEFAULT):
            return None, None
        found = self.model.findText(text, Qt.MatchFlag.MatchFixedString)
        data = self.model.itemData(found) if found >= 0 else None
        if isinstance(data, tuple):
            return data[0], data[1]
        return None, text  # typed by hand: the app's default provider serves it

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.name.text().strip()))


def _model_combo(models: Sequence[tuple[str, str]], project: ProjectView | None) -> QComboBox:
    """An editable list of known models; the project's own choice is kept even if unknown."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItem(tr(APP_DEFAULT), None)
    names = [name for _, name in models]
    for offered in models:
        shown = offered[1] if names.count(offered[1]) == 1 else "{1} ({0})".format(*offered)
        combo.addItem(shown, offered)
    if project is not None and project.default_model:
        wanted = (project.default_provider, project.default_model)
        index = next((i for i in range(1, combo.count()) if _same(combo.itemData(i), wanted)), -1)
        if index < 0:  # not offered any more (or typed by hand): keep it
            combo.addItem(project.default_model, wanted)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
    return combo


def _tool_list(servers: Sequence[tuple[str, str]], on: Sequence[str]) -> QListWidget:
    """A box per tool server (name, label), ticked when on; a server the project names that is
    no longer configured is left out, and so dropped on save."""
    tools = QListWidget()
    for name, label in servers:
        item = QListWidgetItem(label, tools)
        item.setData(Qt.ItemDataRole.UserRole, name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if name in on else Qt.CheckState.Unchecked)
    rows = max(1, min(len(servers), 5))
    tools.setFixedHeight(tools.sizeHintForRow(0) * rows + 2 * tools.frameWidth() + 4)
    return tools


def _ticked(boxes: QListWidget) -> tuple[str, ...]:
    """The keys of the ticked entries of a list made by `_tool_list`."""
    items = [boxes.item(i) for i in range(boxes.count())]
    return tuple(
        str(item.data(Qt.ItemDataRole.UserRole))
        for item in items
        if item is not None and item.checkState() == Qt.CheckState.Checked
    )


def _same(offered: tuple[str, str], wanted: tuple[str | None, str]) -> bool:
    """A project that names no provider matches its model under any provider."""
    return offered[1] == wanted[1] and wanted[0] in (None, offered[0])


def _describe(widget: QWidget, name: str, description: str) -> None:
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)


def _assistant_combo(
    assistants: Sequence[tuple[uuid.UUID, str, QIcon]], project: ProjectView | None
) -> QComboBox:
    combo = QComboBox()
    combo.addItem(tr("No assistant"), "")
    for assistant_id, label, badge in assistants:  # by hex: Qt compares a UUID by identity
        combo.addItem(badge, label, assistant_id.hex)
    default = project.default_assistant_id if project else None
    combo.setCurrentIndex(max(combo.findData(default.hex if default else ""), 0))
    return combo
