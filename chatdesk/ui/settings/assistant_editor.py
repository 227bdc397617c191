"""Add or edit one assistant: who it is (name, badge, description, system prompt) and how it
answers (model, temperature, answer length, the tool servers its chats start with, the
knowledge bases they answer from, example prompts).

What is typed is checked as the core checks it (`AssistantFields.checked`) and then saved
through `Assistants.create` or `update`, which also refuse a name another assistant has; a
refusal is said in the dialog, which stays open with everything typed."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.assistants.model import MAX_ANSWER_TOKENS, AssistantFields, AssistantView
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.badges import DEFAULT_COLOUR, badge_pixmap
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.chat_page import ModelPairs, model_label
from chatdesk.ui.settings.example_list import ExampleList
from chatdesk.ui.settings.knowledge_ticks import KnowledgeTicks
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.save_buttons import save_buttons

if TYPE_CHECKING:
    from chatdesk.core.assistants.service import Assistants
    from chatdesk.core.knowledge.service import Knowledge

ToolServers = Sequence[tuple[str, str]]  # (name, label) of each tool server there is
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_NAME_ROLE = Qt.ItemDataRole.UserRole
# translators: the model choice that keeps the chat's own model
_CHATS_OWN = mark("The chat's own")
_BADGE = 32


class AssistantEditor(QDialog):
    saved = Signal(object)  # the AssistantView saved

    def __init__(
        self,
        assistants: Assistants,
        runner: Runner,
        *,
        view: AssistantView | None = None,  # the assistant edited; None: a new one
        models: ModelPairs = (),
        servers: ToolServers | None = None,  # None: no tools here (the assistant's are kept)
        knowledge: Knowledge | None = None,  # None: its knowledge bases are not shown here
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._assistants = assistants
        self._runner = runner
        self.view = view
        self._servers = servers
        self._knowledge = knowledge
        self._busy = False
        self._pairs: list[tuple[str | None, str | None]] = []
        self.colour_dialog: QColorDialog | None = None
        self.setWindowTitle(
            tr("Assistant “{name}”", name=view.name) if view else tr("New assistant")
        )
        columns = QHBoxLayout()
        columns.addWidget(self._who_box(), 1)
        columns.addWidget(self._how_box(), 1)
        self.problem = Notice("assistantProblem", self)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self._buttons())
        self.setMinimumWidth(780)
        self.resize(860, 600)
        fields = view.fields if view else AssistantFields(name="")
        self._fill(fields, models)
        if knowledge is not None:
            self.bases.load(runner, knowledge, "assistant_id", view.id if view else None)
        self._set_tab_order()
        for line in (self.name, self.icon, self.colour):
            line.textChanged.connect(self._show_badge)
        self._show_badge()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building --------------------------------------------------------------------------------

    def _who_box(self) -> QGroupBox:
        box = QGroupBox(tr("Who it is"), self)
        # translators: the example is an assistant's name
        self.name = _line("assistantName", tr("Name"), tr("e.g. Careful writer"), box)
        self.icon = _line("assistantIcon", tr("Icon"), tr("an emoji or a few letters"), box)
        self.icon.setMaximumWidth(self.fontMetrics().horizontalAdvance("M" * 12))
        self.badge = QLabel(box)
        self.badge.setObjectName("assistantBadge")
        self.badge.setAccessibleName(tr("Badge preview"))
        self.badge.setFixedSize(_BADGE, _BADGE)
        # translators: the colour field, and its hex placeholder: 2 letters per red/green/blue
        self.colour = _line("assistantColour", tr("Colour"), tr("#rrggbb"), box)
        self.colour.setMaximumWidth(self.fontMetrics().horizontalAdvance("#MMMMMMMM"))
        # translators: a button that opens a colour chooser
        self.pick = QPushButton(tr("C&hoose…"), box)
        self.pick.setObjectName("chooseColour")
        self.pick.setToolTip(tr("Pick the badge's colour"))
        self.pick.clicked.connect(self.open_colour_dialog)
        self.description = _text("assistantDescription", tr("Description"), 3, box)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.description.setPlaceholderText(tr("What it is for, shown in a new chat"))
        self.prompt = _text("assistantPrompt", tr("System prompt"), 10, box)
        self.prompt.setPlaceholderText(tr("Instructions sent before each chat's messages"))
        self.prompt.setMinimumHeight(self.fontMetrics().lineSpacing() * 10)
        form = QFormLayout(box)
        form.addRow(tr("&Name:"), self.name)
        form.addRow(_label(tr("&Icon:"), self.icon, box), _row(self.icon, self.badge))
        form.addRow(_label(tr("&Colour:"), self.colour, box), _row(self.colour, self.pick))
        form.addRow(tr("&Description:"), self.description)
        form.addRow(_label(tr("System &prompt:"), self.prompt, box))
        form.addRow(self.prompt)
        return box

    def _how_box(self) -> QGroupBox:
        box = QGroupBox(tr("How it answers"), self)
        self.model = QComboBox(box)
        self.model.setObjectName("assistantModel")
        # translators: the name of the field choosing the model an assistant answers with
        self.model.setAccessibleName(tr("Model"))
        self.model.setToolTip(
            tr("The model it answers with; the chat's own keeps the chat's model")
        )
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model.setMinimumContentsLength(18)
        self.temperature = QDoubleSpinBox(box)
        self.temperature.setObjectName("assistantTemperature")
        self.temperature.setAccessibleName(tr("Temperature"))
        self.temperature.setToolTip(tr("0 gives focused answers, 2 varied ones"))
        self.temperature.setRange(-0.1, 2.0)  # the minimum, shown as "Not set", is no value
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        # translators: a field's value when the assistant sets nothing (the chat decides)
        self.temperature.setSpecialValueText(tr("Not set"))
        self.answer = QSpinBox(box)
        self.answer.setObjectName("assistantAnswerLength")
        self.answer.setAccessibleName(tr("Longest answer in tokens"))
        self.answer.setRange(0, MAX_ANSWER_TOKENS)
        self.answer.setSingleStep(256)
        self.answer.setGroupSeparatorShown(True)
        # translators: a spin box's suffix after a number of tokens (keep the leading space)
        self.answer.setSuffix(tr(" tokens"))
        # translators: a field's value when the assistant sets nothing (the chat decides)
        self.answer.setSpecialValueText(tr("Not set"))
        self.examples = ExampleList(box)
        self.examples.setObjectName("assistantExamples")
        form = QFormLayout(box)
        form.addRow(tr("&Model:"), self.model)
        form.addRow(tr("Tempe&rature:"), self.temperature)
        form.addRow(tr("&Answer length:"), self.answer)
        self._tool_rows(form, box)
        self.bases = KnowledgeTicks(box)
        self.bases.setToolTip(tr("Its chats answer from these, citing their passages"))
        bases_label = _label(tr("&Knowledge:"), self.bases, box)
        bases_label.hide()  # shown with the list, once there are bases
        self.bases.setProperty("label", bases_label)
        form.addRow(bases_label)
        form.addRow(self.bases)
        hint = QLabel(tr("Not set: the chat's project or the Chat preferences decide."), box)
        hint.setObjectName("formHint")
        hint.setWordWrap(True)
        form.addRow(hint)
        form.addRow(_label(tr("&Examples:"), self.examples, box))
        form.addRow(self.examples)
        return box

    def _tool_rows(self, form: QFormLayout, box: QWidget) -> None:
        self.tools_set = QCheckBox(tr("Start its chats &with these tool servers"), box)
        self.tools_set.setObjectName("assistantToolsSet")
        self.tools_set.setToolTip(tr("Unticked: its chats keep the tools they have"))
        self.tools = QListWidget(box)
        self.tools.setObjectName("assistantTools")
        self.tools.setAccessibleName(tr("Tool servers"))
        self.tools.setSpacing(1)  # the boxes do not touch
        self.tools_set.toggled.connect(self.tools.setEnabled)
        self.tools.setEnabled(False)
        if self._servers is None:
            self.tools_set.hide()
            self.tools.hide()
            return
        caption = _label(tr("Too&ls:"), self.tools_set, box)
        form.addRow(caption, self.tools_set)
        form.addRow(self.tools)

    def _buttons(self) -> QDialogButtonBox:
        buttons, self.save = save_buttons(self, "saveAssistant", self.check_and_save)
        return buttons

    def _set_tab_order(self) -> None:
        """Down the first column, then down the second: the order they are read in."""
        chain: list[QWidget] = [self.name, self.icon, self.colour, self.pick, self.description]
        chain += [self.prompt, self.model, self.temperature, self.answer]
        chain += [self.tools_set, self.tools] if self._servers is not None else []
        chain += [self.bases]
        chain += [*self.examples.editors, self.examples.add, self.save]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    # -- values ----------------------------------------------------------------------------------

    def _fill(self, fields: AssistantFields, models: ModelPairs) -> None:
        self.name.setText(fields.name)
        self.icon.setText(fields.icon or "")
        self.colour.setText(fields.colour or "")
        self.description.setPlainText(fields.description or "")
        self.prompt.setPlainText(fields.system_prompt or "")
        self._fill_models(fields, list(models() if callable(models) else models))
        temperature = fields.temperature
        self.temperature.setValue(
            self.temperature.minimum() if temperature is None else temperature
        )
        self.answer.setValue(fields.max_output_tokens or 0)
        self._fill_tools(fields.tools)
        self.examples.set_examples(fields.examples)

    def _fill_models(self, fields: AssistantFields, pairs: list[tuple[str, str]]) -> None:
        own = (fields.provider, fields.model)
        self._pairs = [(None, None), *pairs]
        if own not in self._pairs:
            self._pairs.insert(1, own)  # not offered now (or any provider's): kept as it is
        for provider, model in self._pairs:
            self.model.addItem(_model_text(provider, model))
        self.model.setCurrentIndex(self._pairs.index(own))

    def _fill_tools(self, chosen: tuple[str, ...] | None) -> None:
        servers = list(self._servers or ())
        known = {name for name, _ in servers}
        servers += [
            (name, tr("{name} (not set up here)", name=name))
            for name in chosen or ()
            if name not in known
        ]
        for name, label in servers:
            item = QListWidgetItem(label, self.tools)
            item.setData(_NAME_ROLE, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = chosen is not None and name in chosen
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        rows = max(1, min(len(servers), 4))
        row = self.tools.sizeHintForRow(0) + self.tools.spacing() * 2
        self.tools.setFixedHeight(row * rows + 2 * self.tools.frameWidth() + 4)
        self.tools_set.setChecked(chosen is not None)

    def typed(self) -> AssistantFields:
        """The fields as typed, not yet checked."""
        provider, model = self._pairs[self.model.currentIndex()]
        temperature = self.temperature.value()
        return AssistantFields(
            name=self.name.text(),
            icon=self.icon.text() or None,
            colour=self.colour.text() or None,
            description=self.description.toPlainText() or None,
            system_prompt=self.prompt.toPlainText() or None,
            provider=provider,
            model=model,
            temperature=None if temperature == self.temperature.minimum() else temperature,
            max_output_tokens=self.answer.value() or None,
            tools=self._chosen_tools(),
            examples=self.examples.examples(),
        )

    def _chosen_tools(self) -> tuple[str, ...] | None:
        if self._servers is None:  # not shown here: what it had stays
            return self.view.fields.tools if self.view else None
        if not self.tools_set.isChecked():
            return None
        items = [self.tools.item(i) for i in range(self.tools.count())]
        return tuple(
            str(item.data(_NAME_ROLE))
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        )

    def _show_badge(self) -> None:
        colour = self.colour.text().strip()
        shown = colour if _COLOUR.fullmatch(colour) else DEFAULT_COLOUR
        name = self.name.text().strip() or "?"
        self.badge.setPixmap(badge_pixmap(name, self.icon.text().strip() or None, shown, _BADGE))

    # -- acting ----------------------------------------------------------------------------------

    def open_colour_dialog(self) -> None:
        colour = self.colour.text().strip()
        start = QColor(colour if _COLOUR.fullmatch(colour) else DEFAULT_COLOUR)
        dialog = QColorDialog(start, self)
        dialog.setWindowTitle(tr("Badge colour"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.colorSelected.connect(lambda chosen: self.colour.setText(chosen.name()))
        self.colour_dialog = dialog
        dialog.open()  # not exec(): no nested event loop under qasync

    def check_and_save(self) -> None:
        """Save when the fields pass the core's checks; otherwise say why and keep them."""
        if self._busy:
            return
        fields = self.typed()
        try:
            fields.checked()
        except InvalidRequest as error:
            self._refused(error)
            return
        self.problem.clear_notice()
        self._set_busy(True)
        self._runner.run(
            self._save(fields),
            done=self._saved,
            failure=self._refused,
            settled=lambda: self._set_busy(False),
            owner=self,
        )

    async def _save(self, fields: AssistantFields) -> AssistantView:
        if self.view is None:
            saved = await self._assistants.create(fields)
        else:
            saved = await self._assistants.update(self.view.id, fields)
        if self._knowledge is not None and self.bases.loaded:
            await self._knowledge.link("assistant_id", saved.id, self.bases.ticked())
        return saved

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save.setEnabled(not busy)

    def _saved(self, view: AssistantView) -> None:
        self.saved.emit(view)
        self.accept()

    def _refused(self, error: ChatdeskError) -> None:
        said = str(error)
        self.problem.say(Tone.ERROR, said[:1].upper() + said[1:])


def _model_text(provider: str | None, model: str | None) -> str:
    if model is None:
        if provider is None:
            return tr(_CHATS_OWN)
        return tr("{provider}'s default model", provider=provider)
    return model_label(provider, model) if provider else tr("{model} (any provider)", model=model)


def _line(name: str, accessible: str, placeholder: str, parent: QWidget) -> QLineEdit:
    line = QLineEdit(parent)
    line.setObjectName(name)
    line.setAccessibleName(accessible)
    line.setPlaceholderText(placeholder)
    return line


def _text(name: str, accessible: str, lines: int, parent: QWidget) -> QPlainTextEdit:
    text = QPlainTextEdit(parent)
    text.setObjectName(name)
    text.setAccessibleName(accessible)
    text.setTabChangesFocus(True)  # Tab leaves the box, as in a form
    text.setMinimumHeight(text.fontMetrics().lineSpacing() * lines + 12)
    return text


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)  # a row holding a layout gets a label without one
    return label


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row
