"""How a search runs: which rows it looks at and how it orders them (decision 0015).

Ranking is what costs. bm25 takes ~3-5 µs per matching message, and before the first row it
counts every message that holds each word of the query (its IDF): ~30 ms for a word that is in
most messages of a million. So:

- the matches are first counted, stopping at RANK_ALL + 1 (a fraction of a millisecond);
- up to RANK_ALL matches are all ranked by bm25 (RELEVANCE). Words in more than VERY_COMMON
  messages still have to match, but the ranking leaves them out: it matches the other words,
  keeps the rows that match the whole query and ranks them by bm25 of the other words;
- more matches than that, or nothing but very common words: the newest first (NEWEST), which
  FTS5 reads straight off its index in rowid order and stops after a page;
- the completion of a word still being typed (a prefix) is looked for only when the words as
  typed find less than a page, and its matches follow theirs newest first: a prefix merges the
  lists of every word it starts, and ranking would merge them again.

Every statement drives from the index (CROSS JOIN keeps SQLite from reordering the joins) and
applies the filters to each matching row. Snippets are made only for the rows shown.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Boolean, TextualSelect, Uuid, bindparam, text
from sqlalchemy.orm import Session

from chatdesk.core.kinds import Role
from chatdesk.core.search.query import Query
from chatdesk.core.search.snippets import CLOSE, ELLIPSIS, OPEN, parse
from chatdesk.core.search.views import MessageHit, Ranking, SearchFilters, ThreadHit
from chatdesk.core.store.models import UTCDateTime

RANK_ALL = 2_000
VERY_COMMON = 50_000
THREAD_HITS = 10
SNIPPET_TOKENS = 16

# How the ORM stores these (UUIDs as hex text, UTC times as naive text), for parameters and
# result columns of the statements below.
_TYPES: dict[str, Any] = {
    "id": Uuid(),
    "thread_id": Uuid(),
    "project_id": Uuid(),
    "created_at": UTCDateTime(),
    "last_activity_at": UTCDateTime(),
    "since": UTCDateTime(),
    "until": UTCDateTime(),
    "pinned": Boolean(),
    "archived": Boolean(),
}

# A chat made for one answer through the local API is found nowhere (kinds.Origin.API_ONCE).
_SHOWN = " AND (t.origin IS NULL OR t.origin != 'api-once')"
_MESSAGES = (
    "FROM search_messages "
    "CROSS JOIN messages AS m ON m.rowid = search_messages.rowid "
    "CROSS JOIN threads AS t ON t.id = m.thread_id "
    "WHERE search_messages MATCH :match AND t.deleted_at IS NULL" + _SHOWN
)
_MESSAGE_COLUMNS = (
    "m.id, m.thread_id, m.role, m.created_at, t.title, t.project_id, "
    f"CAST(snippet(search_messages, 0, {OPEN}, {CLOSE}, {ELLIPSIS}, {SNIPPET_TOKENS}) AS BLOB) "
    "AS snippet"
)
_ATTACHED = (
    "FROM search_attachments "
    "CROSS JOIN attachments AS a ON a.rowid = search_attachments.rowid "
    "CROSS JOIN message_parts AS p ON p.attachment_id = a.id "
    "CROSS JOIN messages AS m ON m.id = p.message_id "
    "CROSS JOIN threads AS t ON t.id = m.thread_id "
    "WHERE search_attachments MATCH :match AND t.deleted_at IS NULL" + _SHOWN
)
_ATTACHED_COLUMNS = (
    "m.id, m.thread_id, m.role, m.created_at, t.title, t.project_id, a.name AS attachment, "
    f"CAST(snippet(search_attachments, 0, {OPEN}, {CLOSE}, {ELLIPSIS}, {SNIPPET_TOKENS}) AS BLOB) "
    "AS snippet"
)
_THREADS = (
    "FROM search_threads CROSS JOIN threads AS t ON t.rowid = search_threads.rowid "
    "WHERE search_threads MATCH :match AND t.deleted_at IS NULL" + _SHOWN
)
_THREAD_COLUMNS = (
    "t.id, t.project_id, t.pinned, t.archived, t.last_activity_at, "
    f"CAST(highlight(search_threads, 0, {OPEN}, {CLOSE}) AS BLOB) AS title"
)


def _statement(sql: str) -> TextualSelect:
    """`sql` with its parameters and result columns typed as the ORM stores them."""
    named = set(re.findall(r":(\w+)", sql))
    typed = text(sql).bindparams(
        *(bindparam(name, type_=kind) for name, kind in _TYPES.items() if name in named)
    )
    if "ids" in named:
        typed = typed.bindparams(bindparam("ids", expanding=True))
    selected = sql.partition(" FROM ")[0]
    return typed.columns(**{name: kind for name, kind in _TYPES.items() if f".{name}" in selected})


_THREAD_ROWIDS = _statement(
    "SELECT min(rowid), max(rowid) FROM messages WHERE thread_id = :thread_id"
)


class Frequencies:
    """How many messages hold a phrase, counted up to VERY_COMMON + 1 and remembered: only
    the plan depends on it, and a word's frequency changes slowly."""

    def __init__(self, size: int = 4096) -> None:
        self._counts: dict[str, int] = {}
        self._size = size
        self._lock = threading.Lock()

    def very_common(self, session: Session, phrase: str) -> bool:
        with self._lock:
            count = self._counts.get(phrase)
        if count is None:
            count = _count(session, "search_messages", phrase, VERY_COMMON + 1)
            with self._lock:
                if len(self._counts) >= self._size:
                    self._counts.clear()
                self._counts[phrase] = count
        return count > VERY_COMMON


def _count(
    session: Session, index: str, match: str, cap: int, filters: _Filters | None = None
) -> int:
    """How many rows of `index` match, counting no further than `cap`."""
    bounds, params = (filters.bounds, filters.params) if filters else ("", {})
    sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM {index} WHERE {index} MATCH :match{bounds} "
        "LIMIT :cap)"
    )
    found = session.execute(_statement(sql), {**params, "match": match, "cap": cap}).scalar()
    return int(found or 0)


@dataclass
class _Filters:
    """The filters as SQL conditions on `m` (messages) and `t` (threads), and their values."""

    messages: str = ""
    threads: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    # A rowid range of the index that holds every message the filters can keep.
    bounds: str = ""

    @classmethod
    def of(cls, session: Session, where: SearchFilters) -> _Filters | None:
        """None when nothing can match (a thread without messages)."""
        found = cls()
        for column in ("project_id", "pinned", "archived"):
            value = getattr(where, column)
            if column == "archived" and where.thread_id is not None:
                continue  # the thread was chosen, archived or not
            if value is not None:
                condition = f"t.{column} = :{column}"
                found.add(column, value, condition, condition)
        if where.role is not None:
            found.add("role", where.role.value, "m.role = :role")
        # A thread matches a date range by its title if it was active in the range.
        if where.since is not None:
            since = "m.created_at >= :since"
            found.add("since", where.since, since, "t.last_activity_at >= :since")
        if where.until is not None:
            found.add("until", where.until, "m.created_at < :until", "t.created_at < :until")
        if where.thread_id is not None:
            found.add("thread_id", where.thread_id, "m.thread_id = :thread_id")
            first, last = session.execute(_THREAD_ROWIDS, {"thread_id": where.thread_id}).one()
            if first is None:
                return None
            found.bounds = " AND rowid BETWEEN :first AND :last"
            found.params.update(first=first, last=last)
        return found

    def add(self, name: str, value: Any, messages: str, threads: str | None = None) -> None:
        self.params[name] = value
        self.messages += f" AND {messages}"
        if threads is not None:
            self.threads += f" AND {threads}"

    @property
    def indexed(self) -> str:
        """`bounds` for a statement that joins the index to other tables."""
        return self.bounds.replace("rowid", "search_messages.rowid")


def find_messages(
    session: Session, query: Query, where: SearchFilters, limit: int, frequencies: Frequencies
) -> tuple[list[MessageHit], Ranking, bool]:
    """The messages to show, how they are ordered, and whether the completion was used."""
    filters = _Filters.of(session, where)
    if filters is None:
        return [], Ranking.RELEVANCE, False
    matches = _count(session, "search_messages", query.expression, RANK_ALL + 1, filters)
    hits, ranking = _as_typed(session, query, filters, limit, frequencies, matches)
    if len(hits) < limit:  # the attachments' words after the messages' own
        seen = {hit.message_id for hit in hits}
        more = _attached(session, query.expression, filters, limit)
        hits += [hit for hit in more if hit.message_id not in seen][: limit - len(hits)]
        matches = max(matches, len(hits))
    if query.completion is None or matches >= limit:
        return hits, ranking, False
    # Less than a page: the completions of the last word follow, newest first.
    seen = {hit.message_id for hit in hits}
    more = _newest(session, query.completion, filters, limit + len(hits))
    hits += [hit for hit in more if hit.message_id not in seen]
    return hits[:limit], ranking, True


def _as_typed(
    session: Session,
    query: Query,
    filters: _Filters,
    limit: int,
    frequencies: Frequencies,
    matches: int,
) -> tuple[list[MessageHit], Ranking]:
    if matches == 0:
        return [], Ranking.RELEVANCE
    if matches > RANK_ALL:
        return _newest(session, query.expression, filters, limit), Ranking.NEWEST
    rare = [p for p in query.phrases if not frequencies.very_common(session, p)]
    if len(query.phrases) <= 1 or len(rare) == len(query.phrases):
        return _ranked(session, query.expression, filters, limit), Ranking.RELEVANCE
    if not rare:
        return _newest(session, query.expression, filters, limit), Ranking.NEWEST
    return _ranked_by(session, " ".join(rare), query.expression, filters, limit), Ranking.RELEVANCE


def _ranked(session: Session, match: str, filters: _Filters, limit: int) -> list[MessageHit]:
    sql = (
        f"SELECT {_MESSAGE_COLUMNS} {_MESSAGES}{filters.indexed}{filters.messages} "
        "ORDER BY search_messages.rank LIMIT :limit"
    )
    return _message_hits(session, sql, {**filters.params, "match": match, "limit": limit})


def _newest(session: Session, match: str, filters: _Filters, limit: int) -> list[MessageHit]:
    sql = (
        f"SELECT {_MESSAGE_COLUMNS} {_MESSAGES}{filters.indexed}{filters.messages} "
        "ORDER BY search_messages.rowid DESC LIMIT :limit"
    )
    return _message_hits(session, sql, {**filters.params, "match": match, "limit": limit})


def _ranked_by(
    session: Session, rare: str, match: str, filters: _Filters, limit: int
) -> list[MessageHit]:
    """Rows matching `match`, ranked by bm25 of the `rare` words alone; then their snippets,
    which mark every word of `match`."""
    every = f"SELECT rowid FROM search_messages WHERE search_messages MATCH :every{filters.bounds}"
    sql = (
        f"SELECT search_messages.rowid AS r {_MESSAGES}{filters.indexed}{filters.messages} "
        f"AND +search_messages.rowid IN ({every}) "
        "ORDER BY bm25(search_messages) LIMIT :limit"
    )
    params = {**filters.params, "match": rare, "every": match, "limit": limit}
    order = [row.r for row in session.execute(_statement(sql), params)]
    if not order:
        return []
    sql = (
        f"SELECT search_messages.rowid AS r, {_MESSAGE_COLUMNS} {_MESSAGES} "
        "AND search_messages.rowid BETWEEN :low AND :high AND +search_messages.rowid IN :ids"
    )
    params = {"match": match, "low": min(order), "high": max(order), "ids": order}
    rows = {row.r: row for row in session.execute(_statement(sql), params)}
    return [_message_hit(rows[r]) for r in order if r in rows]


def _attached(session: Session, match: str, filters: _Filters, limit: int) -> list[MessageHit]:
    """Messages whose attachments' text matches, the best match first (attachments are few
    beside messages: all their matches are ranked). Filters apply to the message."""
    sql = (
        f"SELECT {_ATTACHED_COLUMNS} {_ATTACHED}{filters.messages} "
        "ORDER BY search_attachments.rank LIMIT :limit"
    )
    return _message_hits(session, sql, {**filters.params, "match": match, "limit": limit})


def _message_hits(session: Session, sql: str, params: dict[str, Any]) -> list[MessageHit]:
    return [_message_hit(row) for row in session.execute(_statement(sql), params)]


def _message_hit(row: Any) -> MessageHit:
    return MessageHit(
        message_id=row.id,
        thread_id=row.thread_id,
        thread_title=row.title,
        project_id=row.project_id,
        role=Role(row.role),
        created_at=row.created_at,
        snippet=parse(row.snippet),
        attachment=getattr(row, "attachment", None) or "",
    )


def find_threads(
    session: Session, query: Query, where: SearchFilters, *, completion: bool
) -> list[ThreadHit]:
    """Threads whose title matches (none when the search is inside one thread or one role)."""
    if where.thread_id is not None or where.role is not None:
        return []
    filters = _Filters.of(session, where)
    if filters is None:
        return []
    match = query.completion if completion and query.completion else query.expression
    matches = _count(session, "search_threads", match, RANK_ALL + 1)
    if matches == 0:
        return []
    order = "search_threads.rank" if matches <= RANK_ALL else "search_threads.rowid DESC"
    sql = f"SELECT {_THREAD_COLUMNS} {_THREADS}{filters.threads} ORDER BY {order} LIMIT :limit"
    params = {**filters.params, "match": match, "limit": THREAD_HITS}
    return [
        ThreadHit(
            thread_id=row.id,
            title=parse(row.title),
            project_id=row.project_id,
            pinned=bool(row.pinned),
            archived=bool(row.archived),
            last_activity_at=row.last_activity_at,
        )
        for row in session.execute(_statement(sql), params)
    ]
