"""ThreadTreeModel: the sidebar's groups (rows at the top level) and their threads (children).

Which groups a view has and where each thread's row is, is `layout.py`'s: Pinned, projects,
then recency groups; archived view and filtering show one group that a view uses as its root,
so they read as a flat list. This model tells Qt as rows come, go and move.

Each group reads its threads lazily, a page at a time (`canFetchMore`/`fetchMore`), and the
model follows the service's events: a thread moves between groups when it is pinned, moved,
archived or answered, without rereading anything.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import sys
import uuid
from bisect import bisect_left
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from chatdesk.core.chat import events as ev
from chatdesk.core.views import ProjectView, ThreadPage, ThreadView
from chatdesk.ui.runner import Runner
from chatdesk.ui.sidebar.feeds import (
    Feed,
    local_date,
    page_with_events,
    recency_key,
)
from chatdesk.ui.sidebar.groups import Group, group_data, thread_data
from chatdesk.ui.sidebar.layout import Layout
from chatdesk.ui.sidebar.roles import THREAD_ROLE, GroupKind
from chatdesk.ui.sidebar.when import MinuteClock

if TYPE_CHECKING:  # the service loads SQLAlchemy, which the window's shell does without
    from chatdesk.core.service import ChatService

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_ROLE = Qt.ItemDataRole

PAGE_SIZE = 150


def _local_now() -> datetime:
    return datetime.now().astimezone()


class ThreadTreeModel(QAbstractItemModel):
    """More than 30 methods, for a reason: a Qt item model is eleven methods Qt calls, and
    every change to its rows must be announced by the model itself, between its begin and end
    calls, so reading pages, following events and changing rows stay here. Where things are
    is `Layout`'s (`chatdesk/ui/sidebar/layout.py`)."""

    page_loaded = Signal()  # a page was read and merged (even if it added no rows)

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        parent: QObject | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.clock = MinuteClock(now or _local_now, self)  # the time the rows' ages count to
        self._page_size = page_size
        self._layout = Layout(local_date(self.clock.now))
        # Events seen while pages were being read: a page may predate them. None: deleted.
        self._fresh: dict[uuid.UUID, ThreadView | None] = {}
        self._fetch_pauses = 0
        self._team_names: dict[uuid.UUID, str] = {}  # for shared threads' badges
        self._layout.build(archived=False, text="")
        self.clock.ticked.connect(self._regroup_by_day)
        self._unsubscribe = service.events.subscribe(self._on_event)
        self.destroyed.connect(self._unsubscribe)

    # -- public ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Read the projects and the first page of each group that is shown open."""
        self._runner.run(self._service.list_projects(), done=self._projects_read, quiet=True)
        self._start_feeds()

    def close(self) -> None:
        """Stop following the service (also done when the model is destroyed)."""
        self._unsubscribe()

    def set_team_names(self, names: dict[uuid.UUID, str]) -> None:
        """The teams' names, for the badges of shared threads (read after each sync)."""
        self._team_names = dict(names)
        for group in self._layout.shown:
            parent = self._index_of_group(group)
            rows = self.rowCount(parent)
            if rows:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(rows - 1, 0, parent))

    def set_view(self, *, archived: bool = False, text: str = "") -> None:
        """Show the normal grouped view, the archived threads, or the titles containing `text`."""
        text = text.strip()
        if (archived, text) == (self._layout.archived, self._layout.text):
            return
        self.beginResetModel()
        self._fresh.clear()
        self._layout.build(archived=archived, text=text)
        self.endResetModel()
        self._start_feeds()

    @property
    def is_flat(self) -> bool:
        """Archived or filtered: one group, meant to be a view's root index."""
        return self._layout.is_flat

    @property
    def loading(self) -> bool:
        return any(group.feed.loading for group in self._layout.known.values())

    @contextlib.contextmanager
    def fetching_paused(self) -> Iterator[None]:
        """Answer "nothing to fetch" meanwhile. QTreeView's layout calls fetchMore on every
        open group that can fetch more, so without this each page arriving (a relayout) would
        read the next one until all were read."""
        self._fetch_pauses += 1
        try:
            yield
        finally:
            self._fetch_pauses -= 1

    def flat_root(self) -> QModelIndex:
        return self.index(0, 0) if self.is_flat else QModelIndex()

    def thread_at(self, index: Index) -> ThreadView | None:
        value = index.data(THREAD_ROLE) if index.isValid() else None
        return value if isinstance(value, ThreadView) else None

    def project_at(self, index: Index) -> ProjectView | None:
        group = self._group_row(index)
        projects = self._layout.projects
        return projects.get(group.project_id) if group and group.project_id else None

    def projects(self) -> list[ProjectView]:
        return self._layout.sorted_projects()

    def index_of_thread(self, thread_id: uuid.UUID) -> QModelIndex:
        feed = self._layout.holder(thread_id)
        if feed is None:
            return QModelIndex()
        group = self._layout.group_for(feed, feed.held(thread_id))
        if group not in self._layout.shown:
            return QModelIndex()
        start, _ = self._layout.span(group)
        return self.createIndex(feed.index_of(thread_id) - start, 0, group.key)

    def index_of_project(self, project_id: uuid.UUID) -> QModelIndex:
        group = self._layout.project_group(project_id)
        return self._index_of_group(group) if group else QModelIndex()

    # -- Qt model --------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._layout.shown) else QModelIndex()
        group = self._group_row(parent)
        if group is None or row >= self.rowCount(parent):
            return QModelIndex()
        return self.createIndex(row, 0, group.key)

    @overload
    def parent(self) -> QObject: ...
    @overload
    def parent(self, child: Index) -> QModelIndex: ...
    def parent(self, child: Index | None = None) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self._index_of_group(self._layout.known[child.internalId()])

    def rowCount(self, parent: Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self._layout.shown)
        group = self._group_row(parent)
        if group is None:
            return 0
        start, end = self._layout.span(group)
        return end - start

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 1

    def hasChildren(self, parent: Index = _ROOT) -> bool:
        if not parent.isValid():
            return bool(self._layout.shown)
        group = self._group_row(parent)
        if group is None:
            return False
        return self.rowCount(parent) > 0 or not group.feed.exhausted

    def flags(self, index: Index) -> Qt.ItemFlag:
        flag = Qt.ItemFlag
        if not index.isValid():
            return flag.NoItemFlags
        group = self._group_row(index)
        if group is None:
            thread_flags = flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemIsEditable
            return thread_flags | flag.ItemNeverHasChildren
        if group.kind is GroupKind.PROJECT:
            return flag.ItemIsEnabled | flag.ItemIsEditable  # renamed in place, not selected
        return flag.ItemIsEnabled

    def data(self, index: Index, role: int = _ROLE.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group = self._group_row(index)
        if group is not None:
            return group_data(group, role)
        owner = self._layout.known[index.internalId()]
        start, _ = self._layout.span(owner)
        thread = owner.feed.threads[start + index.row()]
        team = self._team_names.get(thread.team_id) if thread.team_id else None
        return thread_data(thread, role, self.clock.now, team)

    def canFetchMore(self, parent: Index) -> bool:
        group = self._group_row(parent)
        if group is None or not group.feed.can_fetch or self._fetch_pauses:
            return False
        # Date groups share one feed; its next page continues the last one shown.
        return group.bucket is None or group is self._layout.last_date_group()

    def fetchMore(self, parent: Index) -> None:
        group = self._group_row(parent)
        if group is not None and self.canFetchMore(parent):
            self._fetch(group.feed)

    # -- reading pages ---------------------------------------------------------------------------

    def _start_feeds(self) -> None:
        """Project groups start closed, so the view asks for their threads when opened."""
        for group in list(self._layout.known.values()):
            if group.kind is not GroupKind.PROJECT and not group.feed.started:
                self._fetch(group.feed)

    # -- reading pages ---------------------------------------------------------------------------

    def _fetch(self, feed: Feed) -> None:
        if not feed.can_fetch:
            return
        feed.loading = feed.started = True
        done = functools.partial(self._page_read, feed)
        self._runner.run(self._read_page(feed), done=done, quiet=True)

    async def _read_page(self, feed: Feed) -> ThreadPage:
        try:
            return await self._service.list_threads(
                feed.where, limit=self._page_size, cursor=feed.cursor
            )
        finally:
            feed.loading = False

    def _page_read(self, feed: Feed, page: ThreadPage) -> None:
        if not self._layout.has_feed(feed):
            return  # the view changed while the page was read
        feed.page_read(page.threads, page.next_cursor)
        held = self._layout.holder
        self._add_threads(feed, page_with_events(feed, page.threads, self._fresh, held))
        if not self.loading:
            self._fresh.clear()
        self.page_loaded.emit()

    def _add_threads(self, feed: Feed, threads: list[ThreadView]) -> None:
        """Insert sorted threads: those older than all held ones in one block per group."""
        last = recency_key(feed.threads[-1]) if feed.threads else None
        tail = [t for t in threads if last is None or recency_key(t) > last]
        for thread in threads[: len(threads) - len(tail)]:
            self._insert(feed, thread)
        for group, run in itertools.groupby(tail, key=lambda t: self._layout.group_for(feed, t)):
            self._append(group, list(run))

    def _append(self, group: Group, threads: list[ThreadView]) -> None:
        self._show(group)
        start = self.rowCount(self._index_of_group(group))
        self.beginInsertRows(self._index_of_group(group), start, start + len(threads) - 1)
        group.feed.extend(threads)
        self.endInsertRows()

    def _projects_read(self, projects: list[ProjectView]) -> None:
        for project in projects:
            if project.id not in self._layout.projects:  # an event may have brought a newer version
                self._place_project(project)

    # -- following events ------------------------------------------------------------------------

    def _on_event(self, event: ev.Event) -> None:
        try:
            self._follow(event)
        except Exception as error:  # the bus would only log it; a UI bug should be seen
            sys.excepthook(type(error), error, error.__traceback__)

    def _follow(self, event: ev.Event) -> None:
        match event:
            case ev.ThreadCreated(thread) | ev.ThreadUpdated(thread) | ev.ThreadRestored(thread):
                if thread.for_one_answer:
                    return  # a chat for one answer of the local API, removed once it ends
                self._remember(thread.id, thread)
                self._place(thread)
            case ev.ThreadDeleted(thread_id):
                self._remember(thread_id, None)
                holder = self._layout.holder(thread_id)
                if holder is not None:
                    self._remove(holder, thread_id)
            case ev.ProjectCreated(project) | ev.ProjectUpdated(project):
                self._place_project(project)
            case ev.ProjectDeleted(project_id):
                self._drop_project(project_id)
            case _:
                pass

    def _remember(self, thread_id: uuid.UUID, thread: ThreadView | None) -> None:
        if self.loading:
            self._fresh[thread_id] = thread

    def _place(self, thread: ThreadView) -> None:
        target = next((f for f in self._layout.feeds() if f.accepts(thread)), None)
        if target is not None and not target.covers(thread):
            target = None  # a later page will bring it
        holder = self._layout.holder(thread.id)
        if holder is None and target is not None:
            self._insert(target, thread)
        elif holder is not None and target is None:
            self._remove(holder, thread.id)
        elif holder is not None and target is not None:
            self._move(holder, target, thread)

    # -- changing rows ---------------------------------------------------------------------------

    def _insert(self, feed: Feed, thread: ThreadView) -> None:
        group = self._layout.group_for(feed, thread)
        self._show(group)
        start, end = self._layout.span(group)
        row = feed.position_for(thread, start, end) - start
        self.beginInsertRows(self._index_of_group(group), row, row)
        feed.insert(thread)
        self.endInsertRows()

    def _remove(self, feed: Feed, thread_id: uuid.UUID) -> None:
        group = self._layout.group_for(feed, feed.held(thread_id))
        position = feed.index_of(thread_id)
        row = position - self._layout.span(group)[0]
        self.beginRemoveRows(self._index_of_group(group), row, row)
        feed.pop(position)
        self.endRemoveRows()
        self._hide_if_empty(group)
        if not feed.threads and feed.started:
            self._fetch(feed)  # everything shown went away: show what comes next, if any

    def _move(self, source: Feed, target: Feed, thread: ThreadView) -> None:
        """Move a held thread to where its new version belongs, as one move (a selection on
        it stays on it)."""
        old = source.held(thread.id)
        from_group, to_group = (
            self._layout.group_for(source, old),
            self._layout.group_for(target, thread),
        )
        self._show(to_group)
        position = source.index_of(thread.id)
        from_row = position - self._layout.span(from_group)[0]
        to_start, to_end = self._layout.span(to_group)
        to_row = target.position_for(thread, to_start, to_end) - to_start
        from_parent, to_parent = self._index_of_group(from_group), self._index_of_group(to_group)
        if not self.beginMoveRows(from_parent, from_row, from_row, to_parent, to_row):
            source.replace(position, thread)  # same place: only its data changed
            changed = self.index(from_row, 0, from_parent)
            self.dataChanged.emit(changed, changed)
            return
        source.pop(position)
        target.insert(thread)
        self.endMoveRows()
        self._hide_if_empty(from_group)

    # -- groups ----------------------------------------------------------------------------------

    def _show(self, group: Group) -> None:
        if group in self._layout.shown:
            return
        row = bisect_left([g.order() for g in self._layout.shown], group.order())
        self.beginInsertRows(_ROOT, row, row)
        self._layout.shown.insert(row, group)
        self.endInsertRows()

    def _hide_if_empty(self, group: Group) -> None:
        if not group.hidden_when_empty or group not in self._layout.shown:
            return
        start, end = self._layout.span(group)
        if end == start:
            row = self._layout.shown.index(group)
            self.beginRemoveRows(_ROOT, row, row)
            self._layout.shown.pop(row)
            self.endRemoveRows()

    def _place_project(self, project: ProjectView) -> None:
        if project.id in self._layout.gone_projects:
            return
        self._layout.projects[project.id] = project
        group = self._layout.project_group(project.id)
        if group is None:
            if not self.is_flat:
                self._show(self._layout.new_project_group(project))
            return
        group.title = project.name
        self._reorder(group)
        changed = self._index_of_group(group)
        self.dataChanged.emit(changed, changed)

    def _reorder(self, group: Group) -> None:
        row = self._layout.shown.index(group)
        others = [g.order() for g in self._layout.shown if g is not group]
        place = bisect_left(others, group.order())
        before = place if place <= row else place + 1  # Qt counts with the row still there
        if before not in (row, row + 1) and self.beginMoveRows(_ROOT, row, row, _ROOT, before):
            self._layout.shown.insert(place, self._layout.shown.pop(row))
            self.endMoveRows()

    def _drop_project(self, project_id: uuid.UUID) -> None:
        self._layout.gone_projects.add(project_id)
        self._layout.projects.pop(project_id, None)
        group = self._layout.project_group(project_id)
        if group is None:
            return
        row = self._layout.shown.index(group)
        self.beginRemoveRows(_ROOT, row, row)
        self._layout.shown.pop(row)
        self._layout.forget(group)
        self.endRemoveRows()

    def _regroup_by_day(self) -> None:
        """After midnight "Today" is "Yesterday": regroup the threads in no project."""
        today = local_date(self.clock.now)
        if today != self._layout.today:
            self.beginResetModel()
            self._layout.new_day(today)
            self.endResetModel()

    # -- lookups ---------------------------------------------------------------------------------

    def _group_row(self, index: Index) -> Group | None:
        """The group an index is the row of (None for thread rows and the root)."""
        if not index.isValid() or index.internalId() != 0:
            return None
        return self._layout.shown[index.row()] if index.row() < len(self._layout.shown) else None

    def _index_of_group(self, group: Group) -> QModelIndex:
        return self.createIndex(self._layout.shown.index(group), 0, 0)
