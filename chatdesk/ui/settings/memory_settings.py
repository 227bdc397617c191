"""Preferences ▸ Memory's settings (`[memory]`): memory on or off for every chat, the tokens the
memories given with one question may take, how they are found (by their words, or also by an
embedding model's vectors) and when the model may propose one. Each is in use as it changes,
as on the other sections."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from chatdesk.core.i18n import mark, tr

if TYPE_CHECKING:
    from chatdesk.core.settings_schema import MemorySettings
    from chatdesk.ui.settings.knowledge_sources import Embedders

OFFER_TOOLS = (
    # translators: when the model may propose memories (Preferences ▸ Memory)
    ("asked", mark("When a message speaks of remembering")),
    # translators: when the model may propose memories (Preferences ▸ Memory)
    ("always", mark("With every message")),
    # translators: when the model may propose memories (Preferences ▸ Memory)
    ("never", mark("Never")),
)


class UsingMemories(QGroupBox):
    def __init__(
        self, settings: MemorySettings, embedders: Embedders, parent: QWidget | None = None
    ) -> None:
        super().__init__(tr("Using memories"), parent)
        self.enabled = QCheckBox(tr("&Memory: give the model what matters from your memories"))
        self.enabled.setObjectName("memoryEnabled")
        self.enabled.setToolTip(tr("Off: memories are neither given nor proposed in any chat."))
        self.enabled.setChecked(settings.enabled)
        self.budget = QSpinBox(self)
        self.budget.setObjectName("memoryBudget")
        self.budget.setAccessibleName(tr("Most tokens of memories per question"))
        self.budget.setRange(50, 16_000)
        self.budget.setSingleStep(50)
        self.budget.setSuffix(tr(" tokens"))
        self.budget.setValue(settings.budget_tokens)
        self.embedding = self._embedding(settings.embedding, embedders)
        self.offer = QComboBox(self)
        self.offer.setObjectName("memoryOfferTools")
        self.offer.setAccessibleName(tr("When the model may propose a memory"))
        for value, words in OFFER_TOOLS:
            self.offer.addItem(tr(words), value)
        self.offer.setCurrentIndex(max(0, self.offer.findData(settings.offer_tools)))
        form = QFormLayout(self)
        form.addRow(self.enabled)
        for text, field in (
            (tr("Token bud&get per question:"), self.budget),
            (tr("Found &by:"), self.embedding),
            (tr("The model may propose one:"), self.offer),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)

    def _embedding(self, chosen: str, embedders: Embedders) -> QComboBox:
        """ "By their words only", then each embedding model as "provider/model"."""
        combo = QComboBox(self)
        combo.setObjectName("memoryEmbedding")
        combo.setAccessibleName(tr("How memories are found"))
        combo.setToolTip(
            tr("An embedding model also finds memories that say the same in other words.")
        )
        combo.addItem(tr("By their words only"), "")
        for provider, models in embedders():
            for name in models:
                combo.addItem(f"{provider}/{name}", f"{provider}/{name}")
        if chosen and combo.findData(chosen) < 0:
            combo.addItem(chosen, chosen)  # a provider not set up any more is still shown
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        return combo

    def controls(self) -> list[QWidget]:
        """The settings that apply as they change (the preferences watch them)."""
        return [self.enabled, self.budget, self.embedding, self.offer]

    def memory(self, base: MemorySettings) -> MemorySettings:
        return replace(
            base,
            enabled=self.enabled.isChecked(),
            budget_tokens=self.budget.value(),
            embedding=str(self.embedding.currentData() or ""),
            offer_tools=str(self.offer.currentData()),
        )
