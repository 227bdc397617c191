"""Usage: tokens and cost per month, provider and model, from the answers chatdesk stored,
and the spending caps with what is left of them (`caps_box.py`).

The page is given the queries (`ChatService.usage_by_month`, `Spending.overview`) rather than
the service, and asks them the first time it is shown and whenever the month or Refresh is
chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import CapsSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.caps_box import CapsBox
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.usage_model import (
    ESTIMATED_NOTE,
    NO_PRICE_NOTE,
    PARTIAL_NOTE,
    UsageTableModel,
    month_label,
)

if TYPE_CHECKING:
    from chatdesk.core.chat.caps import CapState
    from chatdesk.core.chat.usage import UsageRow

UsageQuery = Callable[[str | None], Coroutine[Any, Any, Sequence["UsageRow"]]]
SpendingQuery = Callable[[], Coroutine[Any, Any, Sequence["CapState"]]]
ALL_MONTHS = mark("All months")


class UsagePage(QWidget):
    def __init__(
        self,
        query: UsageQuery | None,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        caps: CapsSettings | None = None,
        spending: SpendingQuery | None = None,
    ) -> None:
        super().__init__(parent)
        self._query = query
        self._spending = spending
        self.caps = CapsBox(caps or CapsSettings(), self)
        self._runner = runner
        self._asked = False
        self.month = QComboBox(self)
        self.month.setObjectName("usageMonth")
        self.month.setAccessibleName(tr("Month"))
        self.month.addItem(tr(ALL_MONTHS), None)
        self.month.setMinimumContentsLength(14)
        self.month.activated.connect(lambda _: self.load())
        self.refresh = QPushButton(tr("&Refresh"), self)
        self.refresh.setObjectName("refreshUsage")
        self.refresh.clicked.connect(self.load)
        self.model = UsageTableModel(self)
        self.table = self._table()
        self.status = Notice("usageStatus", self)
        self._lay_out()
        if query is None:
            self.status.say(Tone.INFO, tr("Usage cannot be shown in this session."))
            for widget in (self.month, self.refresh):
                widget.setEnabled(False)

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("usageTable")
        table.setAccessibleName(tr("Usage per month, provider and model"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        rows = table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return table

    def _lay_out(self) -> None:
        caption = QLabel(tr("&Month:"), self)
        caption.setBuddy(self.month)
        top = QHBoxLayout()
        top.addWidget(caption)
        top.addWidget(self.month)
        top.addStretch(1)
        top.addWidget(self.refresh)
        notes = (ESTIMATED_NOTE, PARTIAL_NOTE, NO_PRICE_NOTE)
        legend = QLabel("\n".join(tr(note) for note in notes), self)
        legend.setObjectName("usageLegend")
        legend.setProperty("tone", Tone.INFO.value)
        legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caps)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(legend)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._asked:  # asked on first sight: a dialog opened for the theme never asks
            self._asked = True
            self.load()

    def load(self) -> None:
        if self._spending is not None:
            self._runner.run(self._spending(), done=self.caps.show_states, quiet=True, owner=self)
        if self._query is None:
            return
        month = self.month.currentData()
        chosen = month if isinstance(month, str) else None
        self.refresh.setEnabled(False)
        self._runner.run(
            self._query(chosen),
            done=lambda rows: self._show(rows, chosen),
            failure=self._failed,
            settled=lambda: self.refresh.setEnabled(True),
            quiet=True,
            owner=self,
        )

    def _show(self, rows: Sequence[UsageRow], month: str | None) -> None:
        self.model.show_rows(rows)
        if month is None:
            self._offer_months(rows)
        if rows:
            self.status.clear_notice()
        else:
            self.status.say(Tone.INFO, tr("No answers in this period yet."))

    def _offer_months(self, rows: Sequence[UsageRow]) -> None:
        months = list(dict.fromkeys(row.month for row in rows))
        self.month.clear()
        self.month.addItem(tr(ALL_MONTHS), None)
        for month in months:
            self.month.addItem(month_label(month), month)

    def _failed(self, error: ChatdeskError) -> None:
        self.status.say(Tone.ERROR, tr("Usage could not be read: {error}", error=error))
