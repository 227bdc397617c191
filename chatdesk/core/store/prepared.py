"""Hot statements compiled once and run on the SQLite driver's cursor.

A statement is still written once, with SQLAlchemy (so it follows the models), but paging a
thread runs the same two statements thousands of times, and sharing a thread writes tens of
thousands of rows with one: SQLAlchemy's execution layer (caching lookup, parameter processing
per row, the result object) costs about as much as the SQL itself there.
`Prepared` compiles the statement for SQLite when it is made, converts the parameters with the
columns' own bind processors, and returns the driver's plain tuples, columns in the order of
the statement, as SQLite stores them.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = sqlite.dialect()


class Prepared:
    """`statement` compiled for SQLite; `rows(connection, **parameters)` runs it. Parameters
    not given take the values written in the statement."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        names = compiled.positiontup or []
        self._steps: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
        for name in names:
            bind = compiled.binds[name]
            convert = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            self._steps.append((name, bind.effective_value, convert))
        self._columns: list[tuple[str, Callable[[Any], Any] | None]] = []
        if isinstance(statement, Select):
            for column in statement.selected_columns:
                load = column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)
                self._columns.append((str(column.key), load))

    def parameters(self, given: dict[str, Any]) -> list[Any]:
        values = []
        for name, fixed, convert in self._steps:
            value = given.get(name, fixed)
            values.append(value if convert is None or value is None else convert(value))
        return values

    def rows(self, connection: Connection, **given: Any) -> list[tuple[Any, ...]]:
        """Every row, on the transaction `connection` is in."""
        return _driver(connection).execute(self.sql, self.parameters(given)).fetchall()

    def first(self, connection: Connection, **given: Any) -> tuple[Any, ...] | None:
        cursor = _driver(connection).execute(self.sql, self.parameters(given))
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row

    def converted(self, row: Sequence[Any]) -> dict[str, Any]:
        """A row of this select by column, its values converted by the columns' own types (as
        the ORM loads them)."""
        return {
            name: value if load is None or value is None else load(value)
            for (name, load), value in zip(self._columns, row, strict=True)
        }

    def run(self, connection: Connection, **given: Any) -> None:
        """The statement once (a write), on the transaction `connection` is in."""
        _driver(connection).execute(self.sql, self.parameters(given))

    def run_many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """The statement once per row (a write: an insert of many rows), on the transaction
        `connection` is in."""
        _driver(connection).executemany(self.sql, [self.parameters(row) for row in rows])

    def run_many_as_stored(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """`run_many` for rows whose values are already as SQLite stores them and name every
        parameter: nothing is converted (sharing a thread writes ~30,000 clocks)."""
        names = [name for name, _fixed, _convert in self._steps]
        take = operator.itemgetter(*names)
        values = map(take, rows) if len(names) > 1 else ((take(row),) for row in rows)
        _driver(connection).executemany(self.sql, values)


def connection_of(session: Session) -> Connection:
    """The session's connection, for statements run without the ORM's execution layer; what
    is pending is flushed first, as the session's own autoflush would (a no-op when nothing
    is)."""
    session.flush()
    return session.connection()


def _driver(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver
