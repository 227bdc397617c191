"""The sync engine: one worker thread that pushes the outbox and pulls every team's changes.

`round()` is one full exchange (teams, push everything pending, pull every team) and is what the
worker thread runs whenever something happens: a local change was queued, the server sent a
notification (LISTEN, payload: a team id), the poll interval passed, or `sync_now` was asked.
A failure of the connection leaves everything queued and is retried with a growing pause;
the app works the same offline. The window hears about changes through the event bus, on the
asyncio loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from select import select as readable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.events import Event, SyncEditLost, SyncStateChanged, ThreadUpdated
from chatdesk.core.chat.views import SyncNoteView, ThreadView
from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.store import changes
from chatdesk.core.store.models import (
    Message,
    Status,
    Summary,
    SyncField,
    SyncNote,
    SyncOp,
    SyncTeam,
    Thread,
)
from chatdesk.core.store.store import Store
from chatdesk.core.sync import rows as wire
from chatdesk.core.sync.base import (
    PendingOp,
    SyncRefused,
    SyncStatus,
    SyncUnavailable,
    Team,
    any_shared,
    is_transient,
    note_view,
)
from chatdesk.core.sync.hlc import Clock
from chatdesk.core.sync.record import APPLYING, Recorder

if TYPE_CHECKING:  # the connection and the merge load when there is a server or a pull
    from chatdesk.core.sync.apply import Applied, Applier
    from chatdesk.core.sync.remote import Page, PushResult, Remote

log = logging.getLogger("chatdesk.sync")

BATCH = 500
_MAX_PAUSE = 30.0


class SyncEngine:
    def __init__(
        self,
        store: Store,
        connect: Callable[[], Remote] | None,
        *,
        publish_event: Callable[[Event], None] | None = None,
        poll_seconds: float = 60.0,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or Clock()
        self._connect = connect
        self._publish = publish_event or (lambda _event: None)
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._round_done = threading.Condition()
        self._rounds = 0
        self._thread: threading.Thread | None = None
        self._remote: Remote | None = None
        self._listener: Any = None
        self._bell: tuple[int, int] | None = None  # a pipe that wakes the worker's select
        self._bell_lock = threading.Lock()
        self._status = SyncStatus("off" if connect is None else "offline", "", 0, 0, None)
        # Teams whose threads this launch removed (membership ended): their rows written by
        # this launch are no longer here, so their next pull must not leave them out.
        self._forgotten: set[uuid.UUID] = set()
        self.recorder = Recorder(self.clock, shared=any_shared(store), on_queued=self.wake)
        store.add_write_hook(self.recorder.before_commit)
        self._observe_stored_clocks()

    # -- state -----------------------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self._connect is not None

    @property
    def status(self) -> SyncStatus:
        return self._status

    def outbox(self) -> tuple[int, int]:
        """(pending, rejected) ops in the outbox."""
        return self.store.read_now(_outbox_counts)

    def rejected(self) -> list[tuple[int, str, str]]:
        """Ops the server refused: (op_seq, what, why), oldest first."""
        query = (
            select(SyncOp.op_seq, SyncOp.entity, SyncOp.entity_id, SyncOp.last_error)
            .where(SyncOp.state == "rejected")
            .order_by(SyncOp.op_seq)
        )
        rows = self.store.read_now(lambda s: s.execute(query).all())
        return [
            (seq, f"{entity} {entity_id}", error or "") for seq, entity, entity_id, error in rows
        ]

    def _observe_stored_clocks(self) -> None:
        newest = self.store.read_now(lambda s: s.scalar(select(func.max(SyncField.hlc))))
        if newest:
            self.clock.observe(newest)

    def _set_status(self, state: str, detail: str = "") -> None:
        pending, rejected = self.outbox()
        last = datetime.now(UTC) if state == "up to date" else self._status.last_sync
        status = SyncStatus(state, detail, pending, rejected, last)
        changed = (status.state, status.detail, status.pending, status.rejected) != (
            self._status.state, self._status.detail, self._status.pending, self._status.rejected,
        )  # fmt: skip
        self._status = status
        if changed:
            self._publish(SyncStateChanged(status.state, status.detail, pending, rejected))

    # -- sharing ---------------------------------------------------------------------------------

    def share(self, thread_id: uuid.UUID, team_id: uuid.UUID) -> None:
        """Move a personal thread, with everything in it, into a team (blocking; any thread)."""

        def work(session: Session) -> None:
            team = session.get(SyncTeam, team_id)
            if team is None:
                raise NotFound(
                    f"not a member of team {team_id} (as of the last sync); sync and try again"
                )
            thread = session.get(Thread, thread_id)
            if thread is None:
                raise NotFound(f"no thread with id {thread_id}")
            if thread.team_id == team_id:
                return
            if thread.team_id is not None:
                raise InvalidRequest("this thread is shared with another team; stop sharing first")
            self.recorder.shared = True
            thread.team_id = team_id
            for model, entity in ((Message, "message"), (Summary, "summary")):
                ids = session.scalars(select(model.id).where(model.thread_id == thread_id))
                changes.touched(session, entity, ids)

        self.store.write_blocking(work)
        self._announce(thread_id)
        self.wake()

    def unshare(self, thread_id: uuid.UUID) -> None:
        """Take a thread out of its team: it stays here as a personal thread, and is deleted
        for the team (teammates can restore it from their trash while the server keeps it)."""

        def work(session: Session) -> None:
            thread = session.get(Thread, thread_id)
            if thread is None or thread.team_id is None:
                raise InvalidRequest("this thread is not shared")
            row = wire.thread_rows(session, [thread_id])[thread_id]
            clocks = wire.Clocks(session, "thread", [thread_id])
            row["deleted"] = True
            stamp = self.clock.now()
            for group in wire.GROUPS["thread"]:
                row[wire.hlc_column(group)] = clocks.hlc(thread_id, group)
            row["deleted_hlc"] = stamp
            self.recorder.queue(session, thread.team_id, "thread", thread_id, row, ["deleted"])
            _forget_clocks(session, [thread_id])
            thread.team_id = None
            session.info[APPLYING] = True  # what follows is not a team change any more

        self.store.write_blocking(work)
        self._announce(thread_id)
        self.wake()

    def _announce(self, thread_id: uuid.UUID) -> None:
        """A thread changed teams: the thread list and an open thread hear it as an update."""

        def view(session: Session) -> ThreadView | None:
            row = session.get(Thread, thread_id)
            return repo.thread_view(row) if row is not None else None

        found = self.store.read_now(view)
        if found is not None:
            self._publish(ThreadUpdated(found))

    def notes(self, thread_id: uuid.UUID | None = None) -> list[SyncNoteView]:
        """Edits made here that lost to newer ones and were not dismissed yet."""
        query = select(SyncNote).where(SyncNote.dismissed.is_(False))
        if thread_id is not None:
            query = query.where(SyncNote.thread_id == thread_id)
        query = query.order_by(SyncNote.created_at)
        return self.store.read_now(lambda s: [note_view(n) for n in s.scalars(query)])

    def dismiss_notes(self, thread_id: uuid.UUID) -> None:
        self.store.write_blocking(
            lambda s: s.execute(
                update(SyncNote).where(SyncNote.thread_id == thread_id).values(dismissed=True)
            )
        )

    def teams(self) -> list[Team]:
        """The teams this user was in at the last sync."""
        query = select(SyncTeam.id, SyncTeam.name, SyncTeam.role).order_by(SyncTeam.name)
        return [Team(*row) for row in self.store.read_now(lambda s: s.execute(query).all())]

    # -- one exchange ----------------------------------------------------------------------------

    def round(self) -> SyncStatus:
        """Teams, then push everything pending, then pull every team (blocking)."""
        if self._connect is None:
            self._set_status("off", "no team server is set up")
            return self._status
        self._set_status("syncing")
        try:
            remote = self._connected()
            self._refresh_teams(remote)
            while self.push_once(remote):
                pass
            for team in self.teams():
                self.pull_team(remote, team.id)
        except SyncRefused as error:
            self._drop_connection()
            self._set_status("error", str(error))
            raise
        except Exception as error:
            self._drop_connection()
            if isinstance(error, SyncUnavailable) or is_transient(error):
                self._set_status("offline", _reason(error))
                raise SyncUnavailable(_reason(error)) from error
            self._set_status("error", _reason(error))
            if _is_database_error(error):
                raise SyncRefused(f"the team server refused a change: {_reason(error)}") from error
            raise
        self._set_status("up to date")
        return self._status

    def _connected(self) -> Remote:
        """The open connection if it still works (a server restart leaves a dead one behind),
        else a new one."""
        if self._remote is not None:
            try:
                with self._remote.connection.transaction():
                    self._remote.connection.execute("SELECT 1")
                return self._remote
            except Exception as error:
                if not is_transient(error):
                    raise
                self._drop_connection()
        return self._open()

    def _open(self) -> Remote:
        assert self._connect is not None
        self._remote = self._connect()
        return self._remote

    def _drop_connection(self) -> None:
        remote, self._remote = self._remote, None
        if remote is not None:
            try:
                remote.close()
            except Exception:  # already broken
                log.debug("closing a broken team server connection", exc_info=True)

    def _refresh_teams(self, remote: Remote) -> None:
        teams = remote.teams()
        gone = self.store.write_blocking(lambda s: _update_teams(s, teams))
        self._forgotten.update(gone)
        for team_id in gone:
            log.info("no longer a member of team %s: its threads were removed here", team_id)

    def push_once(self, remote: Remote) -> bool:
        """Push up to one batch; whether there may be more."""
        ops = self.store.read_now(_pending_ops)
        if not ops:
            return False
        result = remote.push(ops)
        notes = self.store.write_blocking(lambda s: self._settle(s, ops, result))
        for note in notes:
            self._publish(SyncEditLost(note))
        return len(ops) == BATCH

    def _settle(self, session: Session, ops: list[PendingOp], result: PushResult) -> list[Any]:
        from chatdesk.core.sync.apply import lost_note

        if result.done:
            session.execute(delete(SyncOp).where(SyncOp.op_seq.in_(result.done)))
        for op_seq, reason in result.rejected.items():
            session.execute(
                update(SyncOp)
                .where(SyncOp.op_seq == op_seq)
                .values(state="rejected", last_error=reason, attempts=SyncOp.attempts + 1)
            )
        by_seq = {op.op_seq: op for op in ops}
        notes = []
        now = datetime.now(UTC)
        for lost in result.lost:
            op = by_seq[lost.op_seq]
            note = lost_note(op.entity, op.entity_id, op.row, lost.kept, lost.group,
                             lost.kept_by, now)  # fmt: skip
            session.add(note)
            notes.append(note_view(note))
        session.info[APPLYING] = True
        return notes

    def pull_team(self, remote: Remote, team_id: uuid.UUID) -> None:
        from chatdesk.core.sync import publish

        query = select(SyncTeam.cursor).where(SyncTeam.id == team_id)
        cursor = self.store.read_now(lambda s: s.scalar(query))
        if cursor is None:
            return
        seen: dict[str, set[uuid.UUID]] = {}
        node = "" if team_id in self._forgotten else self.clock.node
        for page in remote.pull(team_id, cursor, node):

            def work(session: Session, page: Page = page) -> Applied:
                return self._apply(session, team_id, page, seen)

            publish.applied(self.store, self.store.write_blocking(work), self._publish)
        self._forgotten.discard(team_id)

    def _apply(
        self, session: Session, team_id: uuid.UUID, page: Page, seen: dict[str, set[uuid.UUID]]
    ) -> Applied:
        from chatdesk.core.sync.apply import Applier

        session.info[APPLYING] = True
        applier = Applier(session, team_id, self.clock, datetime.now(UTC))
        if page.rows:
            self.recorder.shared = True  # from now on, edits here may touch team threads
            applier.rows(page.entity, page.rows)
            if page.resync:
                seen.setdefault(page.entity, set()).update(uuid.UUID(r["id"]) for r in page.rows)
        if page.cursor is not None:
            if page.resync:
                _drop_unseen(session, team_id, seen, applier)
            team = session.get(SyncTeam, team_id)
            if team is not None:
                team.cursor = page.cursor
        return applier.applied

    def reconfigure(self, connect: Callable[[], Remote] | None, poll_seconds: float) -> None:
        """Another server or login: stop the worker, then start again with the new connection
        (blocking; nothing queued is lost)."""
        running = self._thread is not None
        self.stop()
        self._stop.clear()
        self._connect = connect
        self._poll = poll_seconds
        self._set_status("off" if connect is None else "offline", "")
        if running and connect is not None:
            self.start()

    # -- the worker thread -----------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()
        with self._bell_lock:  # never write to a pipe stop() closed (its number may be reused)
            if self._bell is not None:
                with contextlib.suppress(BlockingIOError):  # full: it is ringing already
                    os.write(self._bell[1], b"\0")  # the worker's select returns at once

    def start(self) -> None:
        if self._connect is None or self._thread is not None:
            return
        read, write = os.pipe()
        os.set_blocking(read, False)
        os.set_blocking(write, False)
        with self._bell_lock:
            self._bell = (read, write)
        self._thread = threading.Thread(target=self._run, name="chatdesk-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        with self._bell_lock:
            bell, self._bell = self._bell, None
        if bell is not None:
            os.close(bell[0])
            os.close(bell[1])
        self._drop_connection()
        self._close_listener()

    def sync_now(self, timeout: float = 60.0) -> SyncStatus:
        """One exchange now, by the worker if it runs, else here (blocking); offline or
        refused shows in the status instead of raising."""
        if self._thread is not None:
            return self.wait_for_round(timeout)
        try:
            return self.round()
        except ChatdeskError:
            return self._status

    def wait_for_round(self, timeout: float) -> SyncStatus:
        """Ask for a round now and wait until one has finished (from any thread but the
        worker's; the CLI's `sync now`, tests)."""
        with self._round_done:
            target = self._rounds + 1
            self.wake()
            self._round_done.wait_for(lambda: self._rounds >= target, timeout)
        return self._status

    def _run(self) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                self.round()
                self._listen()
                pause = 1.0
                wait = self._poll
            except SyncRefused:
                wait = max(self._poll, 60.0)
            except Exception as error:
                log.info("team sync failed (%s); retrying in %.0f s", _reason(error), pause)
                self._close_listener()
                wait, pause = pause, min(pause * 2, _MAX_PAUSE)
            with self._round_done:
                self._rounds += 1
                self._round_done.notify_all()
            self._sleep(wait)

    def _sleep(self, seconds: float) -> None:
        """Until woken, a notification arrives, or `seconds` pass; then a short settle so a
        burst of changes goes in one push."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.is_set() or self._notified(left):
                break
        self._wake.clear()
        if not self._stop.is_set():
            self._stop.wait(0.05)  # a burst of changes or notifications: one round for all
        self._drain_bell()

    def _drain_bell(self) -> None:
        if self._bell is not None:
            try:
                while os.read(self._bell[0], 4096):
                    pass
            except OSError:  # empty
                pass

    def _listen(self) -> None:
        if self._listener is not None or self._remote is None:
            return
        try:
            self._listener = self._remote.listener()
        except Exception as error:  # notifications are a hint; polling still works
            log.info("team server notifications unavailable: %s", _reason(error))

    def _notified(self, timeout: float) -> bool:
        """Wait up to `timeout` for the bell (a local change, a stop) or a notification."""
        waiting = [self._bell[0]] if self._bell is not None else []
        if self._listener is not None:
            waiting.append(self._listener.fileno())
        if not waiting:
            self._stop.wait(min(timeout, 0.1))
            return False
        try:
            ready, _, _ = readable(waiting, [], [], timeout)
            if self._bell is not None and self._bell[0] in ready:
                return True
            if not ready or self._listener is None:
                return False
            # Anyone may NOTIFY on the channel: only a team of mine is worth a round.
            mine = {str(team.id) for team in self.teams()}
            found = self._listener.notifies(timeout=0, stop_after=100)
            return any(notice.payload in mine for notice in found)
        except Exception as error:
            log.info("team server notifications stopped: %s", _reason(error))
            self._close_listener()
            return True

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.close()
            except Exception:
                log.debug("closing the notification connection", exc_info=True)


def _is_database_error(error: BaseException) -> bool:
    import psycopg

    return isinstance(error, psycopg.Error)


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _outbox_counts(session: Session) -> tuple[int, int]:
    query = select(SyncOp.state, func.count()).group_by(SyncOp.state)
    rows: dict[str, int] = {state: count for state, count in session.execute(query)}
    return rows.get("pending", 0), rows.get("rejected", 0)


def _pending_ops(session: Session) -> list[PendingOp]:
    query = select(SyncOp).where(SyncOp.state == "pending").order_by(SyncOp.op_seq).limit(BATCH)
    return [
        PendingOp(
            op.op_seq,
            op.node_id,
            op.team_id,
            op.entity,
            op.entity_id,
            op.row,
            tuple(op.changed.get("groups", ())),
            bool(op.changed.get("tombstone")),
        )
        for op in session.scalars(query)
    ]


def _update_teams(session: Session, teams: list[Team]) -> list[uuid.UUID]:
    """Record the teams the server lists; forget the ones it no longer does."""
    session.info[APPLYING] = True
    now = datetime.now(UTC)
    listed = {team.id: team for team in teams}
    for team in teams:
        row = session.get(SyncTeam, team.id)
        if row is None:
            session.add(SyncTeam(id=team.id, name=team.name, role=team.role, cursor=0, seen_at=now))
        else:
            row.name, row.role, row.seen_at = team.name, team.role, now
    gone = [row for row in session.scalars(select(SyncTeam)) if row.id not in listed]
    for row in gone:
        _forget_team(session, row.id)
        session.delete(row)
    return [row.id for row in gone]


def _forget_team(session: Session, team_id: uuid.UUID) -> None:
    """A team this user left: its threads leave this machine; its unsent ops are kept as
    refused, so the user can see what did not reach the team."""
    session.execute(
        update(SyncOp)
        .where(SyncOp.team_id == team_id, SyncOp.state == "pending")
        .values(state="rejected", last_error="you are no longer a member of this team")
    )
    thread_ids = list(session.scalars(select(Thread.id).where(Thread.team_id == team_id)))
    _forget_clocks(session, thread_ids)
    _delete_threads(session, thread_ids)


def _delete_threads(session: Session, thread_ids: Iterable[uuid.UUID]) -> None:
    for thread_id in thread_ids:
        ids = list(session.scalars(select(Message.id).where(Message.thread_id == thread_id)))
        session.execute(delete(Summary).where(Summary.thread_id == thread_id))
        repo.delete_messages(session, ids)
        session.execute(delete(Thread).where(Thread.id == thread_id))


def _forget_clocks(session: Session, thread_ids: list[uuid.UUID]) -> None:
    for thread_id in thread_ids:
        session.execute(
            delete(SyncField).where(SyncField.entity == "thread", SyncField.entity_id == thread_id)
        )
        for model, entity in ((Message, "message"), (Summary, "summary")):
            ids = select(model.id).where(model.thread_id == thread_id)
            session.execute(
                delete(SyncField).where(SyncField.entity == entity, SyncField.entity_id.in_(ids))
            )


def _drop_unseen(
    session: Session, team_id: uuid.UUID, seen: dict[str, set[uuid.UUID]], applier: Applier
) -> None:
    """After a full resync: rows of the team the server no longer has were purged there (long
    deleted); they go here too, unless a local change to them is still waiting to be pushed."""
    pending = set(
        session.scalars(
            select(SyncOp.entity_id).where(SyncOp.team_id == team_id, SyncOp.state == "pending")
        )
    )
    threads = set(session.scalars(select(Thread.id).where(Thread.team_id == team_id)))
    doomed = [t for t in threads - seen.get("thread", set()) - pending]
    _forget_clocks(session, doomed)
    _delete_threads(session, doomed)
    for thread_id in doomed:
        applier.applied.threads_deleted.add(thread_id)
    final = [Status.COMPLETE, Status.ERROR, Status.INTERRUPTED]  # unfinished answers stay
    query = (
        select(Message.id)
        .join(Thread, Thread.id == Message.thread_id)
        .where(Thread.team_id == team_id, Message.status.in_(final))
        .order_by(Message.depth)
    )
    messages = seen.get("message", set())
    for message_id in [m for m in session.scalars(query) if m not in messages | pending]:
        message = session.get(Message, message_id)
        if message is None:
            continue  # went with an ancestor just now
        thread = session.get(Thread, message.thread_id)
        assert thread is not None
        ids = repo.delete_branch(session, thread, message, applier.now)
        applier.applied.messages_deleted.setdefault(thread.id, []).extend(ids)
