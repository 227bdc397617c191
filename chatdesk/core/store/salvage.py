"""Copying whatever can still be read from a damaged database into a fresh one.

Python's sqlite3 has no `.recover`, and `iterdump()` stops at the first damaged page, so rows
are copied table by table: every table of the fresh database (made at the current schema)
takes the columns it shares with the damaged one, read in rowid order in batches. A batch that
hits a damaged page is read again row by row up to the damage; the damage is then stepped over
by probing further rowids (doubling the distance, then bisecting back to the first readable
one). Rows that read but break a constraint are refused and counted.

Then the message trees are mended (a message whose parent was lost hangs from the nearest
earlier message of its thread; depths, branch pointers, active leaves and counts are computed
again), messages whose thread row was lost get a "Recovered chat" thread, and rows still
pointing at something lost are dropped. The full-text index fills itself through its triggers.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatdesk.core.i18n import mark, tr
from chatdesk.core.store.backup import is_damage

BATCH = 200
_LOWEST = -(2**63)
_HIGHEST = 2**63 - 1
_MAX_FK_PASSES = 50


@dataclass
class TableSalvage:
    table: str
    copied: int = 0
    refused: int = 0  # read, but not valid here (a constraint, a lost reference, unreadable)
    damaged_stretches: int = 0  # runs of unreadable pages stepped over


@dataclass
class SalvageReport:
    tables: dict[str, TableSalvage] = field(default_factory=dict)
    unreadable_tables: list[str] = field(default_factory=list)
    recreated_threads: int = 0

    @property
    def copied(self) -> int:
        return sum(t.copied for t in self.tables.values())

    def table(self, name: str) -> TableSalvage:
        return self.tables.setdefault(name, TableSalvage(name))


def salvage(source: Path, target: Path) -> SalvageReport:
    """Copy every readable row of `source` (a scratch copy of the damaged database) into
    `target` (an empty database at the current schema)."""
    report = SalvageReport()
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute("PRAGMA foreign_keys = OFF")
        dst.execute("BEGIN IMMEDIATE")
        for table in _tables(dst):
            _copy_table(src, dst, table, report)
        _mend_messages(dst, report)
        _drop_lost_references(dst, report)
        dst.execute("COMMIT")
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        src.close()
        dst.close()
    return report


def _tables(connection: sqlite3.Connection) -> list[str]:
    """Ordinary tables of the schema: not SQLite's, Alembic's, or a full-text index's."""
    rows = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [
        name
        for name, sql in rows
        if not name.startswith("sqlite_")
        and name != "alembic_version"
        and name not in virtual
        and not any(name.startswith(f"{v}_") for v in virtual)
    ]


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]


def _copy_table(
    src: sqlite3.Connection, dst: sqlite3.Connection, table: str, report: SalvageReport
) -> None:
    try:
        theirs = set(_columns(src, table))
    except sqlite3.DatabaseError:
        report.unreadable_tables.append(table)
        return
    columns = [c for c in _columns(dst, table) if c in theirs]
    if not columns:
        return
    stats = report.table(table)
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    for row in _readable_rows(src, table, names, stats):
        try:
            dst.execute(insert, row)
            stats.copied += 1
        except sqlite3.Error:
            stats.refused += 1


def _readable_rows(
    src: sqlite3.Connection, table: str, names: str, stats: TableSalvage
) -> Iterator[tuple[Any, ...]]:
    read = (
        f'SELECT rowid, {names} FROM "{table}" NOT INDEXED WHERE rowid > ? ORDER BY rowid LIMIT ?'
    )
    after, size = _LOWEST, BATCH
    while True:
        try:
            rows = src.execute(read, (after, size)).fetchall()
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            if size > 1:
                size = 1  # up to the damage, one row at a time
                continue
            found = _step_over_damage(src, table, after, stats)
            if found is None:
                return
            after, size = found, BATCH
            continue
        if not rows:
            return
        for row in rows:
            yield tuple(row[1:])
        after = rows[-1][0]
        size = BATCH if size == 1 and len(rows) == 1 else size


def _step_over_damage(
    src: sqlite3.Connection, table: str, after: int, stats: TableSalvage
) -> int | None:
    """Where to go on reading after `after` (None: nothing readable is left)."""
    nearest = _probe(src, table, after + 1)
    if isinstance(nearest, int):  # that row is there but cannot be read: leave it out
        stats.refused += 1
        return nearest
    if nearest is None:
        return None
    stats.damaged_stretches += 1
    failing, step = after + 1, 1
    while True:  # double until a probe gets past the damage
        step *= 2
        beyond = min(after + step, _HIGHEST)
        found = _probe(src, table, beyond)
        if found != "damaged":
            break
        if beyond == _HIGHEST:
            return None
        failing = beyond
    while beyond - failing > 1:  # the first rowid whose probe gets past it
        middle = (failing + beyond) // 2
        probe = _probe(src, table, middle)
        if probe == "damaged":
            failing = middle
        else:
            beyond, found = middle, probe
    return None if found is None else int(found) - 1


def _probe(src: sqlite3.Connection, table: str, at: int) -> int | str | None:
    """The first rowid at or after `at`, None if there is none, "damaged" if that is unknown."""
    try:
        row = src.execute(
            f'SELECT rowid FROM "{table}" NOT INDEXED WHERE rowid >= ? ORDER BY rowid LIMIT 1',
            (at,),
        ).fetchone()
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return "damaged"
    return None if row is None else int(row[0])


# -- mending what the lost rows leave behind ----------------------------------------------------


@dataclass(frozen=True)
class _Node:
    id: str
    parent_id: str | None
    active_child_id: str | None
    depth: int


def _mend_messages(dst: sqlite3.Connection, report: SalvageReport) -> None:
    tables = set(_tables(dst))
    if not {"messages", "threads"} <= tables:
        return
    threads = {row[0]: row[1] for row in dst.execute("SELECT id, active_leaf_id FROM threads")}
    by_thread: dict[str, list[_Node]] = defaultdict(list)
    query = (
        "SELECT thread_id, id, parent_id, active_child_id, depth FROM messages "
        "ORDER BY created_at, rowid"
    )
    for thread_id, *node in dst.execute(query).fetchall():
        by_thread[thread_id].append(_Node(*node))
    for thread_id, nodes in by_thread.items():
        if thread_id not in threads and _recreate_thread(dst, thread_id):
            report.recreated_threads += 1
        _mend_thread(dst, thread_id, nodes, threads.get(thread_id))
    dst.execute(
        "UPDATE threads SET active_leaf_id = NULL, message_count = 0 "
        "WHERE id NOT IN (SELECT thread_id FROM messages)"
    )


RECOVERED_TITLE = mark("Recovered chat")  # a thread made for messages whose thread was lost


def _recreate_thread(dst: sqlite3.Connection, thread_id: str) -> bool:
    first, last = dst.execute(
        "SELECT min(created_at), max(created_at) FROM messages WHERE thread_id = ?", (thread_id,)
    ).fetchone()
    try:
        dst.execute(
            "INSERT INTO threads (id, title, created_at, updated_at, last_activity_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (thread_id, tr(RECOVERED_TITLE), first, last, last),
        )
    except sqlite3.Error:  # a schema this code does not know: its messages are dropped below
        return False
    return True


def _mend_thread(
    dst: sqlite3.Connection, thread_id: str, nodes: list[_Node], leaf: str | None
) -> None:
    present = {node.id for node in nodes}
    parent: dict[str, str | None] = {}
    for index, node in enumerate(nodes):
        found = node.parent_id
        if found is not None and found not in present:
            found = _nearest_earlier(nodes[:index], node.depth)
        parent[node.id] = found
    depth = _depths(parent)
    children: dict[str | None, list[str]] = defaultdict(list)
    for node in nodes:
        children[parent[node.id]].append(node.id)
    active: dict[str, str | None] = {}
    for node in nodes:
        kids = children[node.id]
        active[node.id] = (
            node.active_child_id if node.active_child_id in kids else (kids[-1] if kids else None)
        )
        if (parent[node.id], depth[node.id], active[node.id]) != (
            node.parent_id,
            node.depth,
            node.active_child_id,
        ):
            dst.execute(
                "UPDATE messages SET parent_id = ?, depth = ?, active_child_id = ? WHERE id = ?",
                (parent[node.id], depth[node.id], active[node.id], node.id),
            )
    start = leaf if leaf in present else (children[None][-1] if children[None] else None)
    while start is not None and active.get(start) is not None:
        start = active[start]
    dst.execute(
        "UPDATE threads SET active_leaf_id = ?, message_count = ? WHERE id = ?",
        (start, len(nodes), thread_id),
    )


def _nearest_earlier(earlier: list[_Node], depth: int) -> str | None:
    """The new parent of a message whose parent was lost: the latest earlier message one level
    up, else the latest earlier one on any level above, else none (it starts the thread)."""
    above = None
    for node in reversed(earlier):
        if node.depth == depth - 1:
            return node.id
        if above is None and node.depth < depth:
            above = node.id
    return above


def _depths(parent: dict[str, str | None]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for start in parent:
        chain: list[str] = []
        on_chain: set[str] = set()
        at: str | None = start
        while at is not None and at not in depth:
            if at in on_chain:  # a loop in damaged data: cut it here and walk again
                parent[at] = None
                chain, on_chain, at = [], set(), start
                continue
            chain.append(at)
            on_chain.add(at)
            at = parent[at]
        base = depth[at] + 1 if at is not None else 0
        for offset, node in enumerate(reversed(chain)):
            depth[node] = base + offset
    return depth


def _drop_lost_references(dst: sqlite3.Connection, report: SalvageReport) -> None:
    for _ in range(_MAX_FK_PASSES):
        broken = dst.execute("PRAGMA foreign_key_check").fetchall()
        if not broken:
            return
        for table, rowid, *_ in broken:
            dst.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
            stats = report.table(table)
            stats.copied -= 1
            stats.refused += 1
