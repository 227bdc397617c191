"""The usage table: one bold line per month with its totals, then a line per provider and
model. Costs never show a made-up $0: "—" when no price was known, "≈" when chatdesk
estimated the token counts, "≥" when part of the answers had no price."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from chatdesk.core.i18n import mark, number, tr
from chatdesk.core.units import format_cost

if TYPE_CHECKING:  # the usage module loads SQLAlchemy; rows arrive already made
    from chatdesk.core.chat.usage import UsageRow, UsageTotals

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
COLUMNS = (
    mark("Month and model"),
    # translators: a column header: how many answers the models gave
    mark("Answers"),
    mark("Input tokens"),
    # translators: a column header: how many of the input tokens the server had cached
    mark("Cached"),
    mark("Output tokens"),
    # translators: a column header: how many tokens the models spent reasoning
    mark("Reasoning"),
    mark("Cost"),
)
# translators: keep the ≈ sign first: the table marks such counts with it
ESTIMATED_NOTE = mark("≈ Counted by chatdesk: the server did not report these tokens.")
# translators: keep the ≥ sign first: the table marks such costs with it
PARTIAL_NOTE = mark("≥ Some answers had no price: their cost is not included.")
# translators: keep the — dash first: the table shows it for a cost it does not know
NO_PRICE_NOTE = mark("— No price is set for this provider.")


@dataclass(frozen=True)
class Line:
    label: str
    answers: int
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    estimated: bool
    partial_cost: bool = False  # the cost leaves out answers that had no price
    is_month: bool = False


def month_label(month: str) -> str:
    """ "2026-11" → "November 2026"."""
    try:
        year, number = (int(part) for part in month.split("-"))
        return date(year, number, 1).strftime("%B %Y")
    except ValueError:
        return tr("Unknown month")


def _line(label: str, totals: UsageTotals) -> Line:
    return Line(
        label,
        totals.answers,
        totals.prompt_tokens,
        totals.cached_tokens,
        totals.completion_tokens,
        totals.reasoning_tokens,
        totals.cost_usd,
        totals.estimated,
        partial_cost=totals.partial_cost,
    )


def month_total(month: str, rows: Sequence[UsageRow]) -> Line:
    costs = [row.totals.cost_usd for row in rows]
    known = [cost for cost in costs if cost is not None]
    return Line(
        month_label(month),
        sum(row.totals.answers for row in rows),
        sum(row.totals.prompt_tokens for row in rows),
        sum(row.totals.cached_tokens for row in rows),
        sum(row.totals.completion_tokens for row in rows),
        sum(row.totals.reasoning_tokens for row in rows),
        sum(known) if known else None,
        any(row.totals.estimated for row in rows),
        partial_cost=bool(known)
        and (len(known) < len(costs) or any(row.totals.partial_cost for row in rows)),
        is_month=True,
    )


def lines_for(rows: Sequence[UsageRow]) -> list[Line]:
    """Each month's total, then its providers and models, in the order the rows came in."""
    months: dict[str, list[UsageRow]] = {}
    for row in rows:
        months.setdefault(row.month, []).append(row)
    lines: list[Line] = []
    for month, members in months.items():
        lines.append(month_total(month, members))
        lines.extend(_line(f"{row.provider} · {row.model}", row.totals) for row in members)
    return lines


def cost_text(line: Line) -> str:
    if line.cost_usd is None:
        return "—"
    sign = "≥ " if line.partial_cost else "≈ " if line.estimated else ""
    return sign + format_cost(line.cost_usd)


def _tokens(count: int, estimated: bool) -> str:
    return f"≈ {number(count)}" if estimated else number(count)


def cell_text(line: Line, column: int) -> str:
    if column == 0:
        return line.label if line.is_month else f"    {line.label}"
    values = (
        number(line.answers),
        _tokens(line.prompt_tokens, line.estimated),
        number(line.cached_tokens),
        _tokens(line.completion_tokens, line.estimated),
        number(line.reasoning_tokens),
        cost_text(line),
    )
    return values[column - 1]


def line_note(line: Line) -> str:
    notes = [tr(ESTIMATED_NOTE)] if line.estimated else []
    if line.cost_usd is None:
        notes.append(tr(NO_PRICE_NOTE))
    elif line.partial_cost:
        notes.append(tr(PARTIAL_NOTE))
    return "\n".join(notes)


class UsageTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[Line] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def show_rows(self, rows: Sequence[UsageRow]) -> None:
        self.beginResetModel()
        self._lines = lines_for(rows)
        self.endResetModel()

    def lines(self) -> list[Line]:
        return list(self._lines)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell_text(line, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and line.is_month:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return line_note(line) or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(COLUMNS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if section else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)  # over the column's own text
        return None
