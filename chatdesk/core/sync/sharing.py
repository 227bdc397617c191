"""Sharing a thread with a team, and taking it out again.

Sharing moves a personal thread, with everything in it, into a team: every row is queued for
the team in the same transaction. Stopping sharing keeps the thread here as a personal one and
deletes it for the team (teammates can restore it from their trash while the server keeps it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.events import Event, ThreadUpdated
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.store.models import SyncTeam, Thread
from chatdesk.core.store.store import Store
from chatdesk.core.sync import rows as wire
from chatdesk.core.sync.hlc import Clock
from chatdesk.core.sync.pruning import forget_clocks
from chatdesk.core.sync.record import APPLYING, Recorder
from chatdesk.core.views import ThreadView


class Sharing:
    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        clock: Clock,
        publish: Callable[[Event], None],
        queued: Callable[[], None],
    ) -> None:
        self.store = store
        self.recorder = recorder
        self.clock = clock
        self._publish = publish
        self._queued = queued  # wakes the worker: there is something to push

    def share(self, thread_id: uuid.UUID, team_id: uuid.UUID) -> None:
        """Move a personal thread, with everything in it, into a team (blocking; any thread)."""

        def work(session: Session) -> None:
            team = session.get(SyncTeam, team_id)
            if team is None:
                raise NotFound(
                    tr(
                        "not a member of team {team_id} (as of the last sync); sync and try again",
                        team_id=team_id,
                    )
                )
            thread = session.get(Thread, thread_id)
            if thread is None:
                raise NotFound(tr("no thread with id {thread_id}", thread_id=thread_id))
            if thread.team_id == team_id:
                return
            if thread.team_id is not None:
                raise InvalidRequest(
                    tr("this thread is shared with another team; stop sharing first")
                )
            self.recorder.shared = True
            thread.team_id = team_id
            session.flush()
            # Queued here rather than noted for the commit hook, which finds the thread's
            # clocks already up to date: every message would be named by its id otherwise.
            self.recorder.record_thread(session, thread_id, team_id)

        self.store.write_blocking(work)
        self._announce(thread_id)
        self._queued()

    def unshare(self, thread_id: uuid.UUID) -> None:
        """Take a thread out of its team: it stays here as a personal thread, and is deleted
        for the team (teammates can restore it from their trash while the server keeps it)."""

        def work(session: Session) -> None:
            thread = session.get(Thread, thread_id)
            if thread is None or thread.team_id is None:
                raise InvalidRequest(tr("this thread is not shared"))
            row = wire.thread_rows(session, [thread_id.hex])[thread_id.hex]
            clocks = wire.Clocks(session, "thread", [thread_id])
            row["deleted"] = True
            stamp = self.clock.now()
            for group in wire.GROUPS["thread"]:
                row[wire.hlc_column(group)] = clocks.hlc(thread_id, group)
            row["deleted_hlc"] = stamp
            self.recorder.queue(session, thread.team_id, "thread", thread_id, row, ["deleted"])
            forget_clocks(session, [thread_id])
            thread.team_id = None
            session.info[APPLYING] = True  # what follows is not a team change any more

        self.store.write_blocking(work)
        self._announce(thread_id)
        self._queued()

    def _announce(self, thread_id: uuid.UUID) -> None:
        """A thread changed teams: the thread list and an open thread hear it as an update."""

        def view(session: Session) -> ThreadView | None:
            row = session.get(Thread, thread_id)
            return repo.thread_view(row) if row is not None else None

        found = self.store.read_now(view)
        if found is not None:
            self._publish(ThreadUpdated(found))
