"""The thread list as the window last showed it, so the next start can show it at once.

Opening the core (SQLAlchemy, the database check) takes longer than painting the window. When
the window closes, the top of the sidebar's usual view (its groups and the titles under them,
as many rows as a tall window shows) is kept in `sidebar.json` beside the database's other
run files (0600); at the next start the placeholder shows those rows, drawn by the sidebar's own
delegate, until the live list takes their place, usually within the second. The file holds
titles and when each chat was last active (its age is shown at the row's end), which the
database beside it holds too. A list filtered or showing the archive
is not kept (the next start would not show it); the file is then removed. The file itself is
the core's (`chatdesk/core/kept_file.py`): this says what is in it.

What is read back is checked like any file: a damaged, oversized or odd file is ignored.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTreeView

from chatdesk.core import i18n
from chatdesk.ui.sidebar.roles import (
    ACTIVITY_ROLE,
    AGE_ROLE,
    GROUP_KIND_ROLE,
    PINNED_ROLE,
    TEAM_ROLE,
    GroupKind,
)
from chatdesk.ui.sidebar.when import short_age

log = logging.getLogger("chatdesk.ui")

VERSION = 2  # 2: the Projects heading is a row of its own, and each thread's last activity
MAX_ROWS = 60  # group and thread rows kept: more than a tall window shows
MAX_TITLE = 300  # characters of a title kept (the row elides long ones anyway)
_KINDS = {kind.value: kind for kind in GroupKind}


@dataclass(frozen=True)
class ThreadRow:
    title: str
    pinned: bool = False
    team: str | None = None  # the team's name on a shared thread
    at: float | None = None  # when it was last active, in seconds since 1970 (UTC)


@dataclass(frozen=True)
class GroupRow:
    kind: GroupKind
    title: str
    open: bool  # expanded: its threads shown below it
    threads: tuple[ThreadRow, ...] = ()


def take(tree: QTreeView) -> list[GroupRow]:
    """The rows `tree` shows from the top, at most MAX_ROWS."""
    model = tree.model()
    root = tree.rootIndex()
    groups: list[GroupRow] = []
    budget = MAX_ROWS
    for row in range(model.rowCount(root)):
        if budget <= 0:
            break
        index = model.index(row, 0, root)
        kind = index.data(GROUP_KIND_ROLE)
        if not isinstance(kind, GroupKind) or tree.isRowHidden(row, root):
            continue
        budget -= 1
        opened = tree.isExpanded(index)
        threads = _threads(index, budget) if opened else ()
        budget -= len(threads)
        groups.append(GroupRow(kind, _title(index), opened, threads))
    return groups


def _threads(group: QModelIndex, budget: int) -> tuple[ThreadRow, ...]:
    model = group.model()
    found = []
    for row in range(min(model.rowCount(group), max(0, budget))):
        index = model.index(row, 0, group)
        team = index.data(TEAM_ROLE)
        active = index.data(ACTIVITY_ROLE)
        found.append(
            ThreadRow(
                _title(index),
                bool(index.data(PINNED_ROLE)),
                team if isinstance(team, str) else None,
                active.timestamp() if isinstance(active, datetime) else None,
            )
        )
    return tuple(found)


def _title(index: QModelIndex) -> str:
    return str(index.data(Qt.ItemDataRole.DisplayRole) or "")[:MAX_TITLE]


def encoded(groups: list[GroupRow] | None) -> bytes | None:
    """`groups` as kept for the next start (by `chatdesk.core.kept_file.KeptFile`); None, a view
    not worth showing then, keeps nothing."""
    if groups is None:
        return None
    data = {
        "version": VERSION,
        "language": i18n.language(),  # its group titles are in it
        "groups": [_group_json(group) for group in groups],
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _group_json(group: GroupRow) -> dict[str, Any]:
    threads = [
        {"title": t.title, "pinned": t.pinned, "team": t.team, "at": t.at} for t in group.threads
    ]
    return {"kind": group.kind.value, "title": group.title, "open": group.open, "threads": threads}


def decoded(data: bytes | None) -> list[GroupRow] | None:
    """The rows kept by the last run, or None when there are none or they are not what this
    version keeps."""
    if data is None:
        return None
    try:
        return _parse(json.loads(data))
    except ValueError as error:
        log.info("the thread list kept by the last run was not used: %s", error)
        return None


def _parse(data: Any) -> list[GroupRow]:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError("not a thread list of this version")
    if data.get("language", i18n.SOURCE) != i18n.language():
        raise ValueError("a thread list in another language")
    groups = data.get("groups")
    if not isinstance(groups, list):
        raise ValueError("no groups")
    parsed, rows = [], 0
    for item in groups:
        group = _parse_group(item)
        rows += 1 + len(group.threads)
        if rows > MAX_ROWS:
            raise ValueError("more rows than are ever kept")
        parsed.append(group)
    return parsed


def _parse_group(item: Any) -> GroupRow:
    if not isinstance(item, dict) or item.get("kind") not in _KINDS:
        raise ValueError("a group of no known kind")
    threads = item.get("threads")
    if not isinstance(threads, list) or not isinstance(item.get("open"), bool):
        raise ValueError("a group without its threads")
    rows = []
    for thread in threads:
        team = thread.get("team") if isinstance(thread, dict) else None
        if not isinstance(thread, dict) or not isinstance(thread.get("pinned"), bool):
            raise ValueError("a thread row without its flags")
        if team is not None and not isinstance(team, str):
            raise ValueError("a team that is not a name")
        rows.append(ThreadRow(_text(thread.get("title")), thread["pinned"], team, _moment(thread)))
    return GroupRow(_KINDS[item["kind"]], _text(item.get("title")), item["open"], tuple(rows))


def _moment(thread: dict[str, Any]) -> float | None:
    at = thread.get("at")
    if at is None:
        return None
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
        raise ValueError("a last activity that is not a time")
    if not 0 <= at < 2**37:  # about the year 6300: beyond it datetime cannot hold it anyway
        raise ValueError("a last activity out of range")
    return float(at)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a title that is not text")
    return value[:MAX_TITLE]


def model_of(groups: list[GroupRow], now: datetime | None = None) -> QStandardItemModel:
    """The rows as a model the sidebar's delegate draws like the live list, their ages as of
    `now` (by default, now)."""
    now = now or datetime.now(UTC)
    model = QStandardItemModel()
    for group in groups:
        item = QStandardItem(group.title)
        item.setData(group.kind, GROUP_KIND_ROLE)
        for thread in group.threads:
            child = QStandardItem(thread.title)
            child.setData(thread.pinned, PINNED_ROLE)
            child.setData(thread.team, TEAM_ROLE)
            if thread.at is not None:
                child.setData(short_age(datetime.fromtimestamp(thread.at, UTC), now), AGE_ROLE)
            item.appendRow(child)
        model.appendRow(item)
    return model
