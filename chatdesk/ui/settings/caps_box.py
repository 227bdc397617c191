"""The spending caps on the Usage page: the monthly cap for all providers, the cap of one chat,
from what share chatdesk says a cap is near and from what cost the composer shows what a send
costs (settings `caps`, in use as each changes), and what has been spent this month against
every cap, providers' own included (set in their profiles)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QSpinBox, QWidget

from chatdesk.core.config import CapsSettings
from chatdesk.core.i18n import mark, tr

if TYPE_CHECKING:
    from chatdesk.core.chat.caps import CapState

# translators: a cap field's value when no cap is set
NO_CAP = mark("No cap")
# translators: "Show a send's cost from" this field's value: from any cost
ALWAYS = mark("Always")
SPIN_WIDTH = 180


class CapsBox(QGroupBox):
    def __init__(self, caps: CapsSettings, parent: QWidget | None = None) -> None:
        super().__init__(tr("Spending caps"), parent)
        self.setObjectName("spendingCaps")
        self.monthly = self._dollars(
            "monthlyCap", tr("Monthly cap, all providers"), caps.monthly_usd
        )
        self.per_chat = self._dollars("chatCap", tr("Cap of one chat"), caps.thread_usd)
        self.warn_at = QSpinBox(self)
        self.warn_at.setObjectName("capWarnAt")
        self.warn_at.setAccessibleName(tr("Say a cap is near from this share of it"))
        self.warn_at.setRange(10, 100)
        self.warn_at.setSuffix(" %")
        self.warn_at.setValue(round(caps.warn_at * 100))
        self.warn_at.setMaximumWidth(SPIN_WIDTH)
        self.send_cost = self._dollars(
            "sendCostFrom", tr("Show what a send costs from"), caps.show_cost_over_usd, ALWAYS, 0.05
        )
        self.send_cost.setToolTip(
            tr(
                "Before a message whose request alone costs more than this (a long document, a "
                "big context), the composer shows what it costs to send."
            )
        )
        self.spent = QLabel(self)
        self.spent.setObjectName("capsSpent")
        self.spent.setWordWrap(True)
        self.spent.hide()  # until what was spent is known
        # Two columns of fields: the usage table below keeps its height.
        grid = QGridLayout(self)
        for row, column, text, field in (
            (0, 0, tr("&Each month:"), self.monthly),
            (1, 0, tr("Each &chat:"), self.per_chat),
            # translators: say a cap is near from this share of it (a percentage follows)
            (0, 3, tr("Sa&y so from:"), self.warn_at),  # Alt+S is the Assistants tab
            (1, 3, tr("Show a send's cost &from:"), self.send_cost),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            grid.addWidget(label, row, column)
            grid.addWidget(field, row, column + 1)
        grid.setColumnMinimumWidth(2, 12)  # between the two columns
        grid.setColumnStretch(5, 1)
        grid.addWidget(self.spent, 2, 0, 1, 6)
        self.setToolTip(
            tr(
                "Once a cap is reached, a request is refused before it is sent (Send anyway lets "
                "one through). A provider's own monthly cap is set in its profile."
            )
        )

    def _dollars(
        self, name: str, accessible: str, value: float, zero: str = NO_CAP, step: float = 5.0
    ) -> QDoubleSpinBox:
        """A field of dollars that says `zero` (a marked message) for 0."""
        spin = QDoubleSpinBox(self)
        spin.setObjectName(name)
        spin.setAccessibleName(accessible)
        spin.setRange(0.0, 1_000_000.0)
        spin.setDecimals(2)
        spin.setSingleStep(step)
        spin.setPrefix("$")
        spin.setSpecialValueText(tr(zero))
        spin.setGroupSeparatorShown(True)
        spin.setValue(value)
        spin.setMaximumWidth(SPIN_WIDTH)
        return spin

    def caps(self, base: CapsSettings) -> CapsSettings:
        return replace(
            base,
            monthly_usd=self.monthly.value(),
            thread_usd=self.per_chat.value(),
            warn_at=self.warn_at.value() / 100,
            show_cost_over_usd=self.send_cost.value(),
        )

    def show_states(self, states: Sequence[CapState]) -> None:
        """What has been spent this month against each cap (as saved, before any edit here)."""
        warn_at = self.warn_at.value() / 100
        lines = [_line(state, warn_at) for state in states if state.name != "in this chat"]
        self.spent.setText("\n".join(lines) or tr("No cap is set."))
        self.spent.show()


def _line(state: CapState, warn_at: float) -> str:
    """A cap's line, marked when it is reached or near (as the status bar says after an
    answer)."""
    if state.reached:
        return tr("⚠ Reached: {cap}", cap=state.said())
    if state.share >= warn_at:
        return tr("⚠ Near: {cap}", cap=state.with_left())
    return state.with_left()
