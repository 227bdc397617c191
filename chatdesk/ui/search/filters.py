"""The palette's filter row: project, role, when, archived, pinned. Each choice is a combo box
or check box in the tab order after the query, with an Alt+letter shortcut; any change
announces `changed` and the palette searches again."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, tr
from chatdesk.core.kinds import Role
from chatdesk.core.search import SearchFilters
from chatdesk.core.views import ProjectView, ThreadFilter

CUSTOM = "custom"
_ROLES = (
    # translators: who wrote the messages searched: "Written by: Anyone / You / Assistant"
    (mark("Anyone"), ""),
    # translators: who wrote the messages searched: "Written by: Anyone / You / Assistant"
    (mark("You"), Role.USER.value),
    # translators: who wrote the messages searched: "Written by: Anyone / You / Assistant"
    (mark("Assistant"), Role.ASSISTANT.value),
)
_ARCHIVED = (
    (mark("Not archived"), False),
    (mark("Archived too"), None),
    (mark("Only archived"), True),
)
_PERIODS = (
    (mark("Any time"), None),
    (mark("Past day"), 1),
    (mark("Past week"), 7),
    (mark("Past month"), 31),
    (mark("Past year"), 366),
    (mark("Between dates…"), CUSTOM),
)


@dataclass(frozen=True)
class Chosen:
    """The filters as chosen, for both kinds of listing."""

    search: SearchFilters
    titles_too: bool  # no message-only filter (role, dates): titles matching as typed count


class FilterRow(QWidget):
    changed = Signal()

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        # translators: the search's filter of the project searched
        self.project = self._combo(tr("Project"), "J", [(tr("All projects"), "")])
        self.role = self._combo(tr("Written by"), "R", [(tr(t), v) for t, v in _ROLES])
        # translators: the search's filter of when the messages were written
        self.period = self._combo(tr("When"), "W", [(tr(t), v) for t, v in _PERIODS])
        self.archived = self._combo(tr("Archived chats"), "A", [(tr(t), v) for t, v in _ARCHIVED])
        self.pinned = QCheckBox(tr("&Pinned only"))
        self.pinned.setAccessibleName(tr("Pinned chats only"))
        self.pinned.toggled.connect(self.changed)
        self.since = self._date(tr("From date"), -30)
        self.until = self._date(tr("Until date"), 0)
        self._build()

    def _build(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for widget in (self.project, self.role, self.period, self.archived, self.pinned):
            row.addWidget(widget)
        row.addStretch(1)
        self.dates = QWidget()
        between = QHBoxLayout(self.dates)
        between.setContentsMargins(0, 0, 0, 0)
        # translators: around the search's two dates: "From [date] until [date]"
        for label, edit in ((tr("From"), self.since), (tr("until"), self.until)):
            between.addWidget(QLabel(label))
            between.addWidget(edit)
        between.addStretch(1)
        self.dates.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.dates)
        self.period.currentIndexChanged.connect(
            lambda: self.dates.setVisible(self.period.currentData() == CUSTOM)
        )

    def _combo(self, name: str, key: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        for text, value in items:
            combo.addItem(text, value)
        combo.setAccessibleName(name)
        combo.setToolTip(f"{name} (Alt+{key})")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(self.changed)
        shortcut = QShortcut(QKeySequence(f"Alt+{key}"), self)
        shortcut.activated.connect(combo.setFocus)
        return combo

    def _date(self, name: str, days: int) -> QDateEdit:
        """A date `days` from today, named `name` ("From date")."""
        edit = QDateEdit(QDate.currentDate().addDays(days))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(name)
        edit.dateChanged.connect(self.changed)
        return edit

    def set_projects(self, projects: Sequence[ProjectView]) -> None:
        """Offer these projects, keeping the one chosen if it is still there."""
        offered = [(tr("All projects"), "")] + [(p.name, str(p.id)) for p in projects]
        combo = self.project
        if offered == [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]:
            return
        chosen = combo.currentData()  # ids as text: a QVariant compares those by value
        combo.blockSignals(True)
        combo.clear()
        for name, key in offered:
            combo.addItem(name, key)
        found = combo.findData(chosen)
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)
        if found < 0:
            self.changed.emit()  # the chosen project is gone

    def chosen(self) -> Chosen:
        since, until = self._range()
        project = self.project.currentData()
        search = SearchFilters(
            project_id=uuid.UUID(project) if project else None,
            pinned=True if self.pinned.isChecked() else None,
            archived=self.archived.currentData(),
            role=Role(self.role.currentData()) if self.role.currentData() else None,
            since=since,
            until=until,
        )
        return Chosen(search, titles_too=search.role is None and since is None and until is None)

    def thread_filter(self, text: str | None = None) -> ThreadFilter:
        """The same project, pinned and archived choices for listing chats by title."""
        search = self.chosen().search
        return ThreadFilter(
            project_id=search.project_id,
            pinned=search.pinned,
            archived=search.archived,
            text=text,
        )

    def _range(self) -> tuple[datetime | None, datetime | None]:
        period = self.period.currentData()
        if isinstance(period, int):
            return self._now() - timedelta(days=period), None
        if period == CUSTOM:
            first, last = sorted((_day(self.since.date()), _day(self.until.date())))
            return _local_midnight(first), _local_midnight(last + timedelta(days=1))
        return None, None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
