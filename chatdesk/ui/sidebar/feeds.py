"""Feeds: the sorted, partly loaded thread lists behind the sidebar's groups. No Qt here.

A feed is one `ThreadFilter` read page by page, newest activity first (the order of
`ChatService.list_threads`). Everything older than the last page read is not known yet, so a
thread announced by an event is only placed in a feed when it falls inside what was read;
otherwise the page that covers it will bring it.
"""

from __future__ import annotations

import enum
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.views import ThreadFilter, ThreadView

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

SortKey = tuple[int, int]


def recency_key(thread: ThreadView) -> SortKey:
    """Ascending order of this key is newest activity first, ties newest id first."""
    micros = (thread.last_activity_at - _EPOCH) // _MICROSECOND
    return (-micros, -thread.id.int)


class Bucket(enum.IntEnum):
    """The first recency groups of threads in no project, in the order they are shown. After
    them come this year's earlier months, a group each, then earlier years (`bucket_of`)."""

    TODAY = 0
    YESTERDAY = 1
    WEEK = 2  # the seven days before yesterday
    MONTH = 3  # the rest of the 30 days before today


# A month `k` months before this one (in this year) is bucket MONTHS + k, k ≥ 1; a year `k`
# years before this one is YEARS + k. Buckets grow with age, as the threads' order does.
MONTHS = int(Bucket.MONTH)
YEARS = MONTHS + 11


def local_date(moment: datetime) -> date:
    """The calendar day of `moment` in the machine's time zone (with its DST rules)."""
    return moment.astimezone().date()


def bucket_of(moment: datetime, today: date) -> int:
    """The recency group of a thread last active at `moment`: a `Bucket`, or a month or a
    year (see MONTHS and YEARS)."""
    day = local_date(moment)
    days = (today - day).days
    if days <= 0:  # a clock running ahead elsewhere still counts as today
        return Bucket.TODAY
    if days == 1:
        return Bucket.YESTERDAY
    if days <= 8:
        return Bucket.WEEK
    if days <= 30:
        return Bucket.MONTH
    if day.year == today.year:  # an earlier month: over 30 days ago, so never this one
        return MONTHS + today.month - day.month
    return YEARS + today.year - day.year


def bucket_span(threads: list[ThreadView], bucket: int, today: date) -> tuple[int, int]:
    """Where `bucket`'s threads are in a recency-sorted list (`threads[start:end]`); an empty
    bucket's span is empty, where its threads would go."""

    def day(thread: ThreadView) -> int:
        return bucket_of(thread.last_activity_at, today)

    start = bisect_left(threads, bucket, key=day)
    return start, bisect_right(threads, bucket, start, key=day)


def buckets_held(threads: list[ThreadView], today: date) -> list[int]:
    """The buckets a recency-sorted list has threads in, in order."""
    found: list[int] = []
    start = 0
    while start < len(threads):
        bucket = bucket_of(threads[start].last_activity_at, today)
        found.append(bucket)
        start = bucket_span(threads, bucket, today)[1]
    return found


def relative_time(moment: datetime, now: datetime) -> str:
    """Short wording for how long ago `moment` was: "just now", "5 min", "3 h", "Yesterday"…"""
    seconds = (now - moment).total_seconds()
    days = (local_date(now) - local_date(moment)).days
    if seconds < 60:
        return tr("just now")
    if seconds < 3600:
        # translators: how long ago, in minutes ("5 min")
        return ntr("{n} min", "{n} min", int(seconds // 60))
    if days <= 0:
        # translators: how long ago, in hours ("3 h")
        return ntr("{n} h", "{n} h", int(seconds // 3600))
    if days == 1:
        return tr("Yesterday")
    if days < 7:
        # translators: how long ago ("3 days")
        return ntr("{n} day", "{n} days", days)
    shown = moment.astimezone()
    if shown.year == now.astimezone().year:
        return f"{shown:%b} {shown.day}"
    return f"{shown:%b} {shown.day}, {shown.year}"


@dataclass(eq=False)
class Feed:
    """One filter's threads as far as they have been read, newest activity first."""

    where: ThreadFilter
    accepts: Callable[[ThreadView], bool]  # the same condition as `where`, for events
    threads: list[ThreadView] = field(default_factory=list)
    cursor: str | None = None
    boundary: SortKey | None = None  # key of the last thread of the last page read
    started: bool = False
    exhausted: bool = False
    loading: bool = False
    version: int = 0  # bumped on every change, so cached spans know when to recompute
    _held: dict[uuid.UUID, ThreadView] = field(default_factory=dict)

    @property
    def can_fetch(self) -> bool:
        return not self.exhausted and not self.loading

    def covers(self, thread: ThreadView) -> bool:
        """Whether `thread` sorts inside what was read (else a later page brings it)."""
        if self.exhausted:
            return True
        return self.boundary is not None and recency_key(thread) <= self.boundary

    def holds(self, thread_id: uuid.UUID) -> bool:
        return thread_id in self._held

    def position_for(self, thread: ThreadView, lo: int = 0, hi: int | None = None) -> int:
        end = len(self.threads) if hi is None else hi
        return bisect_left(self.threads, recency_key(thread), lo, end, key=recency_key)

    def held(self, thread_id: uuid.UUID) -> ThreadView:
        return self._held[thread_id]

    def index_of(self, thread_id: uuid.UUID) -> int:
        """Position of a held thread (keys are unique, so the bisection lands on it)."""
        return self.position_for(self._held[thread_id])

    def insert(self, thread: ThreadView) -> None:
        self.threads.insert(self.position_for(thread), thread)
        self._held[thread.id] = thread
        self.version += 1

    def extend(self, threads: list[ThreadView]) -> None:
        """Append threads that all sort after the ones held."""
        self.threads.extend(threads)
        self._held.update((t.id, t) for t in threads)
        self.version += 1

    def replace(self, position: int, thread: ThreadView) -> None:
        """Swap in a newer view of the same thread that sorts at the same place."""
        self.threads[position] = thread
        self._held[thread.id] = thread

    def pop(self, position: int) -> ThreadView:
        thread = self.threads.pop(position)
        del self._held[thread.id]
        self.version += 1
        return thread

    def page_read(self, threads: tuple[ThreadView, ...], next_cursor: str | None) -> None:
        self.cursor = next_cursor
        self.exhausted = next_cursor is None
        if threads:
            self.boundary = recency_key(threads[-1])


def page_with_events(
    feed: Feed,
    page: Iterable[ThreadView],
    fresh: Mapping[uuid.UUID, ThreadView | None],
    holder: Callable[[uuid.UUID], object | None],
) -> list[ThreadView]:
    """What a page adds to `feed`, sorted, once the events that arrived while it was read
    are applied (`fresh`: the latest version by id, None if deleted): newer versions replace
    the page's, deleted ones go, threads moved into the feed meanwhile come in, and threads
    something already holds are left where they are."""
    chosen: dict[uuid.UUID, ThreadView] = {}
    for thread in page:
        latest = fresh.get(thread.id, thread)
        if latest is not None:
            chosen[latest.id] = latest
    for latest in fresh.values():
        if latest is not None:
            chosen.setdefault(latest.id, latest)
    wanted = (
        t for t in chosen.values() if feed.accepts(t) and feed.covers(t) and holder(t.id) is None
    )
    return sorted(wanted, key=recency_key)
