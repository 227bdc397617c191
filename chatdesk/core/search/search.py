"""`Search`: full-text search over messages and thread titles, for the palette and the CLI."""

from __future__ import annotations

import functools
import sqlite3

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.search.plans import Frequencies, find_messages, find_threads
from chatdesk.core.search.query import Query, advanced_query, plain_query
from chatdesk.core.search.views import SearchFilters, SearchResults
from chatdesk.core.store import Store
from chatdesk.core.store.search_index import rebuild_index

MAX_LIMIT = 500

# How SQLite words a query it cannot parse (advanced mode only; plain queries always parse).
_QUERY_ERRORS = ("fts5:", "unterminated string", "unknown special query", "no such column")


class Search:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._frequencies = Frequencies()

    async def search(
        self,
        text: str,
        *,
        filters: SearchFilters | None = None,
        limit: int = 50,
        advanced: bool = False,
    ) -> SearchResults:
        """Messages (best or newest first, with snippets) and threads whose title matches.

        Plain mode takes any text as words; `advanced` takes FTS5's query syntax and raises
        InvalidRequest, with SQLite's reason, for a query it cannot parse."""
        where = filters or SearchFilters()
        _check(where, limit)
        query = advanced_query(text) if advanced else plain_query(text)
        if query is None:
            return SearchResults(text)
        if advanced and query.expression.startswith("*"):
            raise InvalidRequest(
                tr("a search cannot start with '*'; put it after a word (prefix*)")
            )
        work = functools.partial(self._find, text, query, where, limit, advanced)
        return await self._store.read(work)

    async def rebuild_index(self) -> None:
        """Build the index again from the stored messages and titles (a repair)."""
        await self._store.write(lambda session: rebuild_index(session.connection()))

    def _find(
        self,
        text: str,
        query: Query,
        where: SearchFilters,
        limit: int,
        advanced: bool,
        session: Session,
    ) -> SearchResults:
        try:
            found = find_messages(session, query, where, limit, self._frequencies)
        except DBAPIError as error:
            if advanced and _is_query_error(error):
                raise _query_error(error) from None
            raise
        messages, ranking, completed = found
        try:
            threads = find_threads(session, query, where, completion=completed)
        except DBAPIError as error:
            if not (advanced and _is_query_error(error)):
                raise
            threads = []  # e.g. a column filter for message text, which titles do not have
        return SearchResults(text, tuple(threads), tuple(messages), ranking, completed)


def _check(where: SearchFilters, limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(tr("limit must be between 1 and {max_limit}", max_limit=MAX_LIMIT))
    for moment in (where.since, where.until):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRequest(tr("a date to search from or until needs a time zone"))


def _is_query_error(error: DBAPIError) -> bool:
    return isinstance(error.orig, sqlite3.OperationalError) and str(error.orig).startswith(
        _QUERY_ERRORS
    )


def _query_error(error: DBAPIError) -> InvalidRequest:
    reason = str(error.orig).removeprefix("fts5: ")
    return InvalidRequest(
        tr(
            "the search is not valid FTS5 syntax ({reason}); quote words that "
            'are not operators, e.g. "C++" or "NOT", or search without '
            "advanced syntax",
            reason=reason,
        )
    )
