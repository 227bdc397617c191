"""One database connection kept by each thread that reads, for the store's life.

A read took a connection from the pool and gave it back every time: the pool's checkout,
its events and the reset on return cost about as much as the SQL of a page of 50 messages.
Each of the store's reader threads now keeps the connection it first took and starts a
snapshot transaction on it per read; nothing is held between reads, so a kept connection never
pins an old snapshot nor holds a lock. Other threads (the sync worker, a command-line tool's,
short-lived workers) still take one from the pool per read: a thread that ends would otherwise
keep its connection out of the pool until the store closes.

A connection that failed at the database's level (a disk error, a damaged file) is closed and
forgotten: the thread's next read takes a fresh one. The store closes them all when it closes.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine

from chatdesk.core.errors import Closed


class KeptConnections:
    """The connection each reader thread keeps to `engine` (a new engine, once the store can
    write again after being read-only, gives each one a new connection at its next read)."""

    def __init__(self) -> None:
        self._mine = threading.local()
        self._all: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def adopt(self) -> None:
        """Make the calling thread one that keeps its connection (a reader's initializer)."""
        self._mine.keeps = True

    def of_this_thread(self, engine: Engine) -> Connection | None:
        """The calling thread's connection; None on a thread that keeps none."""
        if not getattr(self._mine, "keeps", False):
            return None
        kept: Connection | None = getattr(self._mine, "connection", None)
        if kept is not None and kept.engine is engine and not kept.closed:
            return kept
        with self._lock:
            if self._closed:
                raise Closed
            kept = engine.connect()
            self._all.append(kept)
        self._mine.connection = kept
        return kept

    def forget(self, connection: Connection) -> None:
        """Close `connection` after a failure of the database itself; this thread's next read
        takes another."""
        if getattr(self._mine, "connection", None) is connection:
            self._mine.connection = None
        with self._lock:
            if connection in self._all:
                self._all.remove(connection)
        try:
            connection.invalidate()
        finally:
            connection.close()

    def close(self) -> None:
        """Close every kept connection (once no read runs: the store's threads have ended)."""
        with self._lock:
            self._closed = True
            kept, self._all = self._all, []
        for connection in kept:
            connection.close()
