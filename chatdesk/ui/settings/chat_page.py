"""Chat: what new chats start with (model, temperature, answer length, system prompt) and
which key sends a message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import ChatSettings, GeneralSettings, UiSettings
from chatdesk.core.i18n import tr

ModelPair = tuple[str, str]  # (provider, model)
# The window passes `ChatService.known_models`, so profiles saved meanwhile are offered too.
ModelPairs = Sequence[ModelPair] | Callable[[], Sequence[ModelPair]]

MODEL_DEFAULT_TEMPERATURE = -1.0  # GeneralSettings.temperature's "not set"
_SHOWN_TEMPERATURE = 1.0  # what the disabled spin box shows while the model decides
_LONGEST_ANSWER = 1_000_000


def model_label(provider: str, model: str) -> str:
    return f"{model} ({provider})"


class ChatPage(QWidget):
    def __init__(
        self,
        general: GeneralSettings,
        ui: UiSettings,
        models: ModelPairs,
        parent: QWidget | None = None,
        *,
        chat: ChatSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._models = models
        self._current: ModelPair = (general.default_provider, general.default_model)
        layout = QVBoxLayout(self)
        layout.addWidget(self._defaults_box(general))
        layout.addWidget(self._long_threads_box(chat or ChatSettings()))
        layout.addWidget(self._sending_box(ui))
        layout.addStretch(1)
        self.refresh_models()

    # -- what the dialog reads back --------------------------------------------------------------

    def general(self, base: GeneralSettings) -> GeneralSettings:
        provider, model = self.default_model()
        return replace(
            base,
            default_provider=provider,
            default_model=model,
            temperature=self.temperature(),
            max_output_tokens=self._max_tokens.value(),
            system_prompt=self._system_prompt.toPlainText().strip(),
        )

    def chat(self, base: ChatSettings) -> ChatSettings:
        threshold = self._threshold.value() / 100 if self._summaries.isChecked() else 0.0
        return replace(base, summary_threshold=threshold, auto_titles=self._auto_titles.isChecked())

    def controls(self) -> list[QWidget]:
        """The settings of this page, each in use as soon as it changes."""
        return [
            self._model,
            self._model_decides,
            self._temperature,
            self._max_tokens,
            self._system_prompt,
            self._summaries,
            self._threshold,
            self._auto_titles,
            self._enter_sends,
        ]

    def default_model(self) -> ModelPair:
        key = self._model.currentData()
        if not isinstance(key, str):
            return self._current
        provider, _, model = key.partition("/")  # provider names never hold a "/"
        return provider, model

    def temperature(self) -> float:
        if self._model_decides.isChecked():
            return MODEL_DEFAULT_TEMPERATURE
        return round(self._temperature.value(), 2)

    def enter_sends(self) -> bool:
        return self._enter_sends.isChecked()

    def refresh_models(self) -> None:
        """Offer the models known now (a profile may have been saved); keep the choice."""
        current = self.default_model() if self._model.count() else self._current
        pairs = list(self._models() if callable(self._models) else self._models)
        if current not in pairs:
            pairs.insert(0, current)
        self._model.blockSignals(True)  # the choice stays what it was: nothing to apply
        self._model.clear()
        for provider, model in pairs:
            self._model.addItem(model_label(provider, model), f"{provider}/{model}")
        self._model.setCurrentIndex(pairs.index(current))
        self._model.blockSignals(False)

    # -- building --------------------------------------------------------------------------------

    def _defaults_box(self, general: GeneralSettings) -> QGroupBox:
        box = QGroupBox(tr("New chats"), self)
        self._model = QComboBox(box)
        self._model.setObjectName("defaultModel")
        self._model.setAccessibleName(tr("Default model"))
        self._model.setToolTip(tr("The model a new chat uses; each chat can pick another"))
        self._model.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        form = QFormLayout(box)
        # Only the system prompt takes the width; short values keep short fields.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(tr("&Model:"), self._model)
        form.addRow(tr("Tempe&rature:"), self._temperature_row(general.temperature, box))
        form.addRow(tr("Ma&x answer length:"), self._max_tokens_box(general.max_output_tokens, box))
        self._system_prompt = QPlainTextEdit(general.system_prompt, box)
        self._system_prompt.setObjectName("systemPrompt")
        self._system_prompt.setAccessibleName(tr("System prompt"))
        self._system_prompt.setPlaceholderText(
            tr("Instructions for every chat whose project sets none, e.g. “Answer briefly.”")
        )
        self._system_prompt.setTabChangesFocus(True)  # Tab leaves the box, as in a form
        self._system_prompt.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        form.addRow(tr("S&ystem prompt:"), self._system_prompt)
        return box

    def _temperature_row(self, temperature: float, parent: QWidget) -> QWidget:
        row = QWidget(parent)
        # translators: a check box: leave the temperature to the model's default
        self._model_decides = QCheckBox(tr("Model's default"), row)
        self._model_decides.setObjectName("temperatureDefault")
        self._model_decides.setAccessibleName(tr("Use the model's default temperature"))
        self._temperature = QDoubleSpinBox(row)
        self._temperature.setObjectName("temperature")
        self._temperature.setAccessibleName(tr("Temperature"))
        self._temperature.setAccessibleDescription(tr("0 gives focused answers, 2 varied ones"))
        self._temperature.setToolTip(tr("0 gives focused answers, 2 varied ones"))
        self._temperature.setRange(0.0, 2.0)
        self._temperature.setSingleStep(0.1)
        self._temperature.setDecimals(2)
        unset = temperature == MODEL_DEFAULT_TEMPERATURE
        self._temperature.setValue(_SHOWN_TEMPERATURE if unset else temperature)
        self._model_decides.toggled.connect(lambda on: self._temperature.setEnabled(not on))
        self._model_decides.setChecked(unset)
        self._temperature.setEnabled(not unset)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._model_decides)
        layout.addWidget(self._temperature)
        layout.addStretch(1)
        return row

    def _max_tokens_box(self, max_tokens: int, parent: QWidget) -> QSpinBox:
        self._max_tokens = QSpinBox(parent)
        self._max_tokens.setObjectName("maxOutputTokens")
        self._max_tokens.setAccessibleName(tr("Longest answer in tokens"))
        self._max_tokens.setRange(0, _LONGEST_ANSWER)
        self._max_tokens.setSingleStep(256)
        self._max_tokens.setGroupSeparatorShown(True)
        self._max_tokens.setSpecialValueText(tr("Model's default"))  # 0 in the settings
        # translators: a spin box's suffix after a number of tokens (keep the leading space)
        self._max_tokens.setSuffix(tr(" tokens"))
        self._max_tokens.setValue(max_tokens)
        return self._max_tokens

    def _long_threads_box(self, chat: ChatSettings) -> QGroupBox:
        box = QGroupBox(tr("Long threads"), self)
        self._summaries = QCheckBox(tr("Summarise older messages &in the background"), box)
        self._summaries.setObjectName("autoSummaries")
        self._summaries.setChecked(chat.summary_threshold > 0)
        self._summaries.setToolTip(
            tr(
                "The summary is shown in the thread and can be edited or deleted; deleting it "
                "sends the original messages again."
            )
        )
        self._threshold = QSpinBox(box)
        self._threshold.setObjectName("summaryThreshold")
        self._threshold.setAccessibleName(tr("Summarise when the history fills this share"))
        self._threshold.setRange(30, 95)
        # translators: the text around a spin box's number; keep {percent} where the number goes
        around = tr("when the history fills {percent} % of the context")
        before, _, after = around.partition("{percent}")
        self._threshold.setSuffix(after)
        self._threshold.setPrefix(before)
        self._threshold.setValue(round((chat.summary_threshold or 0.75) * 100))
        self._threshold.setEnabled(self._summaries.isChecked())
        self._summaries.toggled.connect(self._threshold.setEnabled)
        self._auto_titles = QCheckBox(tr("&Name new threads from their first answer"), box)
        self._auto_titles.setObjectName("autoTitles")
        self._auto_titles.setChecked(chat.auto_titles)
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(self._summaries)
        row.addWidget(self._threshold)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self._auto_titles)
        return box

    def _sending_box(self, ui: UiSettings) -> QGroupBox:
        box = QGroupBox(tr("Sending messages"), self)
        self._enter_sends = QRadioButton(tr("&Enter sends, Shift+Enter starts a new line"), box)
        self._enter_sends.setObjectName("enterSends")
        self._ctrl_enter_sends = QRadioButton(tr("&Ctrl+Enter sends, Enter starts a new line"), box)
        self._ctrl_enter_sends.setObjectName("ctrlEnterSends")
        group = QButtonGroup(box)
        group.addButton(self._enter_sends)
        group.addButton(self._ctrl_enter_sends)
        (self._enter_sends if ui.enter_sends else self._ctrl_enter_sends).setChecked(True)
        layout = QVBoxLayout(box)
        layout.addWidget(self._enter_sends)
        layout.addWidget(self._ctrl_enter_sends)
        return box
