"""Token counts made but not stored yet, written with the next write that happens anyway.

Building a request counts the question, and the summariser, after each answer, counts the
answer: one or two messages a turn. Each batch was a write transaction of its own (a durable
commit, ~2 ms here), queued on the one writer just as the next message was sent. They are kept
here instead and written in the same transaction as the answer's next save (its first words,
each 250 ms of streaming, its end: `Answers`), or in one write of their own once `MOST` are
waiting (a long thread counted for the first time), and by `flush` (`ChatService.settle` and
`aclose`). Until then this process reads them from here (`known`), as if stored: a count kept
here is used only for the message's text it counted (`updated_at`) and with its encoding, as
the stored one is. A count never written (chatdesk killed) is made again when next needed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.counts import CountUpdate, save_counts
from chatdesk.core.chat.tasks import BackgroundTasks
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.store.store import Store

log = logging.getLogger("chatdesk.chat")

T = TypeVar("T")
MOST = 64  # counts kept before they are written on their own


class CountsToSave:
    """Used on the event loop only; `known` hands the reader threads a copy."""

    def __init__(self, store: Store, tasks: BackgroundTasks) -> None:
        self._store = store
        self._tasks = tasks
        self._waiting: dict[uuid.UUID, CountUpdate] = {}

    def add(self, updates: Iterable[CountUpdate]) -> None:
        """Keep `updates` to write later (a message's newer count replaces an older one)."""
        for update in updates:
            kept = self._waiting.get(update.message_id)
            if kept is None or kept.updated_at <= update.updated_at:
                self._waiting[update.message_id] = update
        if len(self._waiting) >= MOST:
            self._tasks.spawn(self.flush(), "token-counts")

    def known(self) -> Mapping[uuid.UUID, CountUpdate]:
        """The counts waiting, by message (a copy, for a read on another thread)."""
        return dict(self._waiting)

    def with_counts(self, work: Callable[[Session], T]) -> Callable[[Session], T]:
        """`work`, with the counts waiting now saved in its transaction (they are taken: if
        the write fails, they are made again when next needed)."""
        taken = self._take()
        if not taken:
            return work

        def both(session: Session) -> T:
            result = work(session)
            save_counts(session, taken)
            return result

        return both

    async def flush(self) -> None:
        """Write the counts waiting now, in one transaction."""
        taken = self._take()
        if taken:
            await self._store.write(lambda session: save_counts(session, taken))

    async def aclose(self) -> None:
        """`flush`, as the service closes: a write refused then (a full disk, a data folder
        that cannot be written) loses counts only, made again when next needed."""
        try:
            await self.flush()
        except ChatdeskError as error:
            log.info("token counts not kept: %s", error)

    def _take(self) -> list[CountUpdate]:
        taken, self._waiting = list(self._waiting.values()), {}
        return taken
