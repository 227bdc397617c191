"""What one-off completions cost, written to `api_spending` together: a row waits for the write
under way, if any, then goes with every row that came meanwhile, in one transaction.

A row alone costs the writer thread a whole transaction (~2 ms of Python, which holds the
interpreter while the event loop waits for it, and a sync of the disk); many clients whose
answers end together (a script's parallel requests, an editor's) would queue as many, and each
answer's end would wait for all those before it. Written together they cost about one.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session

from chatdesk.core.store.models import ApiSpending
from chatdesk.core.store.store import Store


class SpendingRows:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._rows: list[ApiSpending] = []
        self._written: asyncio.Future[None] | None = None  # when `_rows` are written
        self._writer: asyncio.Task[None] | None = None

    async def add(self, row: ApiSpending) -> None:
        """Until `row` is written (its transaction's failure raised here)."""
        loop = asyncio.get_running_loop()
        if self._writer is not None and self._writer.get_loop() is not loop:
            self._rows, self._written, self._writer = [], None, None  # that loop has ended
        self._rows.append(row)
        if self._written is None:
            self._written = loop.create_future()
        written = self._written
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_all())
        await asyncio.shield(written)

    async def _write_all(self) -> None:
        while self._rows:
            rows, written = self._rows, self._written
            self._rows, self._written = [], None
            assert written is not None

            def write(session: Session, rows: list[ApiSpending] = rows) -> None:
                session.add_all(rows)

            try:
                await self._store.write(write)
            except asyncio.CancelledError:  # the loop is ending: nobody waits any more
                for waited in (written, self._written):
                    if waited is not None:
                        waited.cancel()
                self._rows, self._written = [], None
                raise
            except Exception as error:  # each row's caller hears it
                written.set_exception(error)
                written.exception()  # retrieved here too: a caller may be gone
            else:
                written.set_result(None)
