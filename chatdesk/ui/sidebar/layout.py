"""Which groups the sidebar shows and where each thread's row is, without Qt's row bookkeeping.

Normal view: Pinned, the Projects heading and one group per project (shown even when empty),
then threads in no project by recency (Today, Yesterday, Previous 7 days, Previous 30 days, this
year's earlier months, earlier years; empty ones hidden). The date groups share one feed, split
by day, and are made as threads come into them. Archived view and filtering have one group.
`ThreadTreeModel` (`chatdesk/ui/sidebar/model.py`) asks this where things are and tells Qt as
rows change.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from datetime import date

from chatdesk.core.i18n import tr
from chatdesk.core.views import ProjectView, ThreadFilter, ThreadView
from chatdesk.ui.sidebar.feeds import Bucket, Feed, bucket_of, bucket_span, buckets_held
from chatdesk.ui.sidebar.groups import Group
from chatdesk.ui.sidebar.roles import GroupKind
from chatdesk.ui.sidebar.when import bucket_title


def _listed(thread: ThreadView) -> bool:
    return not thread.deleted and not thread.archived


class Layout:
    def __init__(self, today: date) -> None:
        self.today = today
        self.archived = False
        self.text = ""
        self.shown: list[Group] = []  # the groups shown, in order
        self.known: dict[int, Group] = {}  # every group of this view by key, shown or not
        self.projects: dict[uuid.UUID, ProjectView] = {}
        self.gone_projects: set[uuid.UUID] = set()  # deleted: a late read must not bring them
        self._keys = itertools.count(1)  # 0 is the internal id of group rows themselves
        self._group_of_feed: dict[Feed, Group] = {}
        self._dated: Feed | None = None  # the date groups' one feed (in the usual view)
        self._dates: dict[int, Group] = {}  # by bucket, made as threads come into them
        self._spans: dict[int, tuple[int, int]] = {}  # by bucket, for `_spans_of`
        self._spans_of: tuple[int, date] | None = None  # the date feed's version, and the day

    @property
    def is_flat(self) -> bool:
        """Archived or filtered: one group, meant to be a view's root index."""
        return self.archived or bool(self.text)

    def build(self, *, archived: bool, text: str) -> None:
        """The groups of a view, none of them shown yet but the flat view's one group."""
        self.archived, self.text = archived, text
        self.shown.clear()
        self.known.clear()
        self._group_of_feed.clear()
        self._dated = None
        self._dates.clear()
        self._spans_of = None
        if self.is_flat:
            self._build_flat()
        else:
            self._build_grouped()

    def new_day(self, today: date) -> None:
        """After midnight "Today" is "Yesterday", and a month's first day takes "Previous 30
        days" apart: the date groups are made again, those with rows shown."""
        self.today = today
        self._spans_of = None
        undated = [g for g in self.shown if g.bucket is None]
        for group in self._dates.values():
            del self.known[group.key]
        self._dates.clear()
        dated = []
        if self._dated is not None:
            self._group_of_feed[self._dated] = self._date_group(Bucket.TODAY)
            dated = [self._date_group(b) for b in buckets_held(self._dated.threads, today)]
        self.shown = sorted(undated + dated, key=Group.order)

    def sorted_projects(self) -> list[ProjectView]:
        return sorted(self.projects.values(), key=lambda p: (p.name.casefold(), str(p.id)))

    def new_project_group(self, project: ProjectView) -> Group:
        project_id = project.id

        def accepts(thread: ThreadView) -> bool:
            return _listed(thread) and not thread.pinned and thread.project_id == project_id

        where = ThreadFilter(project_id=project_id, pinned=False)
        feed = Feed(where, accepts)
        return self._new_group(GroupKind.PROJECT, feed, project.name, project_id=project_id)

    def forget(self, group: Group) -> None:
        """A group that is gone from the view for good (its project was deleted)."""
        del self.known[group.key]
        del self._group_of_feed[group.feed]

    # -- where things are ------------------------------------------------------------------------

    def feeds(self) -> Iterable[Feed]:
        return self._group_of_feed

    def has_feed(self, feed: Feed) -> bool:
        return feed in self._group_of_feed

    def project_group(self, project_id: uuid.UUID) -> Group | None:
        return next((g for g in self.known.values() if g.project_id == project_id), None)

    def holder(self, thread_id: uuid.UUID) -> Feed | None:
        """The feed that holds a thread, if one does."""
        return next((f for f in self._group_of_feed if f.holds(thread_id)), None)

    def group_for(self, feed: Feed, thread: ThreadView) -> Group:
        """The group of `feed` a thread's row is in (for the date groups, by its day)."""
        group = self._group_of_feed[feed]
        if group.bucket is None:
            return group
        return self._date_group(bucket_of(thread.last_activity_at, self.today))

    def last_date_group(self) -> Group | None:
        return next((g for g in reversed(self.shown) if g.bucket is not None), None)

    def span(self, group: Group) -> tuple[int, int]:
        """Where a group's rows are in its feed (date groups share one)."""
        feed = group.feed
        if group.bucket is None:
            return 0, len(feed.threads)
        if self._spans_of != (feed.version, self.today):
            self._spans.clear()
            self._spans_of = (feed.version, self.today)
        span = self._spans.get(group.bucket)
        if span is None:
            span = self._spans[group.bucket] = bucket_span(feed.threads, group.bucket, self.today)
        return span

    def rows(self, group: Group) -> int:
        start, end = self.span(group)
        return end - start

    # -- building --------------------------------------------------------------------------------

    def _build_flat(self) -> None:
        archived, text = self.archived, self.text
        folded = text.casefold()

        def accepts(thread: ThreadView) -> bool:
            matches = folded in thread.title.casefold()
            return not thread.deleted and thread.archived == archived and matches

        where = ThreadFilter(archived=archived, text=text or None)
        kind = GroupKind.MATCHES if text else GroupKind.ARCHIVED
        # translators: the chat list's only group, of the chats matching the filter (or archived)
        title = tr("Matches") if text else tr("Archived")
        self.shown.append(self._new_group(kind, Feed(where, accepts), title))

    def _build_grouped(self) -> None:
        def pinned(thread: ThreadView) -> bool:
            return _listed(thread) and thread.pinned

        def unfiled(thread: ThreadView) -> bool:
            return _listed(thread) and not thread.pinned and thread.project_id is None

        # translators: the chat list's group of pinned chats
        self._new_group(GroupKind.PINNED, Feed(ThreadFilter(pinned=True), pinned), tr("Pinned"))
        heading = Feed(ThreadFilter(), lambda _: False, started=True, exhausted=True)  # no rows
        # translators: the heading over the projects in the chat list
        self.shown.append(self._new_group(GroupKind.PROJECTS, heading, tr("Projects")))
        self._dated = Feed(ThreadFilter(only_unfiled=True, pinned=False), unfiled)
        self._group_of_feed[self._dated] = self._date_group(Bucket.TODAY)
        for project in self.sorted_projects():
            self.shown.append(self.new_project_group(project))

    def _date_group(self, bucket: int) -> Group:
        """The date group of `bucket`, made when first wanted (not shown yet)."""
        group = self._dates.get(bucket)
        if group is None:
            assert self._dated is not None, "date groups are the usual view's"
            title = bucket_title(bucket, self.today)
            group = self._new_group(GroupKind.DATE, self._dated, title, bucket=bucket)
            self._dates[bucket] = group
        return group

    def _new_group(
        self,
        kind: GroupKind,
        feed: Feed,
        title: str,
        *,
        project_id: uuid.UUID | None = None,
        bucket: int | None = None,
    ) -> Group:
        group = Group(next(self._keys), kind, feed, title, project_id, bucket)
        self.known[group.key] = group
        self._group_of_feed.setdefault(feed, group)
        return group
