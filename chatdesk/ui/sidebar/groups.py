"""The sidebar's groups and what its rows answer for each role (for views and delegates)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, Qt

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.views import ThreadView
from chatdesk.ui.sidebar.feeds import Feed
from chatdesk.ui.sidebar.roles import (
    ACTIVITY_ROLE,
    AGE_ROLE,
    API_ROLE,
    GROUP_KIND_ROLE,
    PINNED_ROLE,
    PROJECT_ID_ROLE,
    TEAM_ROLE,
    THREAD_ID_ROLE,
    THREAD_ROLE,
    GroupKind,
)
from chatdesk.ui.sidebar.when import short_age

_ROLE = Qt.ItemDataRole


@dataclass(eq=False)
class Group:
    key: int  # the internal id of its children's indexes
    kind: GroupKind
    feed: Feed
    title: str
    project_id: uuid.UUID | None = None
    bucket: int | None = None  # date groups share one feed, split by day (feeds.bucket_of)

    @property
    def hidden_when_empty(self) -> bool:
        return self.kind in (GroupKind.PINNED, GroupKind.DATE)

    def order(self) -> tuple[int, int, str, str]:
        section = _SECTIONS.get(self.kind, 0)
        return section, self.bucket or 0, self.title.casefold(), str(self.project_id)


_SECTIONS = {GroupKind.PINNED: 0, GroupKind.PROJECTS: 1, GroupKind.PROJECT: 2, GroupKind.DATE: 3}


def group_data(group: Group, role: int) -> Any:
    if role in (_ROLE.DisplayRole, _ROLE.EditRole, _ROLE.AccessibleTextRole):
        return group.title
    if role == GROUP_KIND_ROLE:
        return group.kind
    if role == PROJECT_ID_ROLE:
        return group.project_id
    if role == _ROLE.ToolTipRole and group.project_id is not None:
        return tr("Project: {name}", name=group.title)
    if role == _ROLE.AccessibleDescriptionRole and group.kind is GroupKind.PROJECTS:
        return tr("The button at its end creates a project.")
    return None


def thread_data(thread: ThreadView, role: int, now: datetime, team: str | None = None) -> Any:
    """`now`: the time the list shows (for the row's age); `team`: the name of the team a
    shared thread is in (None: not known to the window)."""
    plain = _PLAIN.get(role)
    if plain is not None:  # most of what a paint asks: read off the thread
        return plain(thread)
    if role == AGE_ROLE:
        return short_age(thread.last_activity_at, now)
    if role not in _SAID:
        return None  # a group's roles, or one no row answers
    shared = thread.team_id is not None
    if team is None and shared:
        # translators: stands for the name of a team not known yet ("Shared with team")
        team = tr("team")
    by_api = thread.through_api
    if role == _ROLE.ToolTipRole:
        said = _tooltip(thread) + ("\n" + tr("Shared with {team}", team=team) if shared else "")
        return said + ("\n" + made_through_api() if by_api else "")
    if role == _ROLE.AccessibleTextRole:
        said = _accessible_text(thread, team if shared else None)
        return tr("{row}, made through the local API", row=said) if by_api else said
    return team if shared else None  # TEAM_ROLE


_PLAIN: dict[int, Callable[[ThreadView], Any]] = {
    _ROLE.DisplayRole: lambda thread: thread.title,
    _ROLE.EditRole: lambda thread: thread.title,
    API_ROLE: lambda thread: thread.through_api,
    THREAD_ID_ROLE: lambda thread: thread.id,
    PROJECT_ID_ROLE: lambda thread: thread.project_id,
    PINNED_ROLE: lambda thread: thread.pinned,
    THREAD_ROLE: lambda thread: thread,
    ACTIVITY_ROLE: lambda thread: thread.last_activity_at,
}
_SAID = frozenset({_ROLE.ToolTipRole, _ROLE.AccessibleTextRole, TEAM_ROLE})


def made_through_api() -> str:
    """What the mark of a chat made through the local API says, in the sidebar and header."""
    return tr("Made through the local API")


def _accessible_text(thread: ThreadView, team: str | None) -> str:
    """What a screen reader says of a thread's row (`team`: the team it is shared with)."""
    title = thread.title
    if team is None:
        return tr("{title}, pinned", title=title) if thread.pinned else title
    if thread.pinned:
        return tr("{title}, pinned, shared with {team}", title=title, team=team)
    return tr("{title}, shared with {team}", title=title, team=team)


def _tooltip(thread: ThreadView) -> str:
    moment = QDateTime.fromMSecsSinceEpoch(int(thread.last_activity_at.timestamp() * 1000))
    when = QLocale().toString(moment, QLocale.FormatType.ShortFormat)
    said = ntr(
        "{n} message · last activity {when}",
        "{n} messages · last activity {when}",
        thread.message_count,
        when=when,
    )
    return f"{thread.title}\n{said}"
