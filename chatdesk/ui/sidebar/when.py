"""Time in the sidebar: the titles of its date groups, the short age at the end of each chat's
row ("46m", "3h", "2d"), and the clock that moves both on as time passes.

The clock wakes once a minute, at the minute's turn, rather than the list repainting itself
every second: a short age changes once a minute at most, and the date groups once a day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QLocale, QObject, Qt, QTimer, Signal

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.ui.sidebar.feeds import MONTHS, YEARS, Bucket

_TITLES = {  # the chat list's date groups
    Bucket.TODAY: mark("Today"),
    Bucket.YESTERDAY: mark("Yesterday"),
    Bucket.WEEK: mark("Previous 7 days"),
    # translators: the chat list's date group of chats last active 9 to 30 days ago
    Bucket.MONTH: mark("Previous 30 days"),
}
_LATE_MS = 250  # wake this long after the minute's turn, so the turn is surely behind us


def bucket_title(bucket: int, today: date) -> str:
    """A date group's title: "Today" … "Previous 30 days", then this year's months by name
    ("March"), then earlier years ("2024"), as the language in use writes them."""
    if bucket in _TITLES:
        return tr(_TITLES[Bucket(bucket)])
    locale = QLocale()
    if bucket < YEARS:
        return locale.standaloneMonthName(today.month - (bucket - MONTHS))
    locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)  # 2024, not 2,024
    return locale.toString(today.year - (bucket - YEARS))


def short_age(moment: datetime, now: datetime) -> str:
    """How long ago `moment` was, in as few letters as the language in use allows: "now",
    "46m", "3h", "2d", "3w", "5mo", "2y"."""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:  # also a moment a little ahead of the clock (another computer's)
        # translators: a chat's age in the chat list: active less than a minute ago
        return tr("now", context="age")
    if minutes < 60:
        # translators: a chat's age in the chat list, in minutes, as short as can be ("46m")
        return ntr("{n}m", "{n}m", minutes, context="age")
    hours = minutes // 60
    if hours < 24:
        # translators: a chat's age in the chat list, in hours ("3h")
        return ntr("{n}h", "{n}h", hours, context="age")
    days = hours // 24
    if days < 7:
        # translators: a chat's age in the chat list, in days ("2d")
        return ntr("{n}d", "{n}d", days, context="age")
    if days < 30:
        # translators: a chat's age in the chat list, in weeks ("3w")
        return ntr("{n}w", "{n}w", days // 7, context="age")
    if days < 365:
        # translators: a chat's age in the chat list, in months ("5mo")
        return ntr("{n}mo", "{n}mo", days // 30, context="age")
    # translators: a chat's age in the chat list, in years ("2y")
    return ntr("{n}y", "{n}y", days // 365, context="age")


class MinuteClock(QObject):
    """The time the sidebar shows, moved on at each minute's turn (`ticked`)."""

    ticked = Signal()

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._read = now
        self.now = now()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may wake early
        self._timer.timeout.connect(self._tick)
        self._arm()

    @property
    def next_tick_ms(self) -> int:
        """How long until it wakes next, in milliseconds."""
        return self._timer.remainingTime()

    def _tick(self) -> None:
        self.now = self._read()
        self._arm()
        self.ticked.emit()

    def _arm(self) -> None:
        into_minute = self.now.second * 1000 + self.now.microsecond // 1000
        self._timer.start(60_000 - into_minute + _LATE_MS)
