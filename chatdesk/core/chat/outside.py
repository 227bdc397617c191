"""The watch of what other chatdesk processes write to the same database (the command line's
`ask`, a headless `serve`, another window), told to this process's front-end as the chat
service's own events (decision 0041).

Every `POLL_SECONDS` it asks SQLite, on a reader thread, whether another connection committed
since (`PRAGMA data_version` on a connection of its own: a few microseconds, the whole cost
while nothing changes). When one did, it reads the threads and messages changed since its last
read, leaves out those this process wrote (`OwnWrites`, and the answers it streams itself) and
publishes what the window needs: a new thread, a thread changed or deleted, a message added,
an answer's text as it grows (with its offsets) and its end.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.events import (
    AnswerContinued,
    AnswerStageChanged,
    AnswerTextAppended,
    Event,
    EventBus,
    MessageAdded,
    MessageFinished,
    MessagesDeleted,
    ThreadCreated,
    ThreadDeleted,
    ThreadRestored,
    ThreadUpdated,
)
from chatdesk.core.clock import Clock, SystemClock
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.kinds import AnswerStage, Role, Status
from chatdesk.core.store.own_writes import OwnWrites
from chatdesk.core.store.store import Store
from chatdesk.core.views import MessageView, ThreadView

log = logging.getLogger("chatdesk.chat")

# Another process saves a streaming answer at most every 250 ms (answering.FLUSH_INTERVAL):
# looking twice as seldom shows it growing in steps a reader follows; a turn when nothing
# changed costs ~0.1 ms of a reader thread (`python -m benchmarks --only outside`).
POLL_SECONDS = 0.5
# A row is stamped before its transaction commits, which may wait for the write lock (up to the
# busy timeout, 5 s): each read looks this far back, and rows already told are not told again.
_SLACK = timedelta(seconds=10)


class OutsideWatch:
    """Started by a long-running front-end's core (`Core.watch_outside`); `poll` is one turn."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        *,
        poll_seconds: float = POLL_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        self._store = store
        self._bus = bus
        self._poll_seconds = poll_seconds
        self._clock = clock or SystemClock()
        self._own = OwnWrites()
        self._task: asyncio.Task[None] | None = None
        self._version: int | None = None
        self._unsubscribe: Callable[[], None] | None = None  # from the bus, once begun
        self._started = self._mark = self._clock.now()
        self._told: dict[uuid.UUID, datetime] = {}  # rows told, at the `updated_at` told
        # Answers followed as they grow: the length of their text and reasoning told, their status.
        self._growing: dict[uuid.UUID, tuple[int, int, Status]] = {}
        self._threads: dict[uuid.UUID, ThreadView] = {}  # as this process's events last said

    async def begin(self) -> None:
        """Note this process's writes and the database as it stands; changes from now on are
        told by `poll`. Idempotent."""
        if self._unsubscribe is None:
            self._store.add_write_hook(self._own.note, first=True)
            self._unsubscribe = self._bus.subscribe(self._heard)
            self._started = self._mark = self._clock.now()
        if self._version is None:
            self._version = await self._store.data_version()

    def start(self) -> None:
        """Poll every `poll_seconds` until `aclose`."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def aclose(self) -> None:
        """Stop polling and noting this process's writes (`begin` starts again from now)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._unsubscribe is not None:
            self._store.remove_write_hook(self._own.note)
            self._unsubscribe()
            self._unsubscribe, self._version = None, None

    async def poll(self) -> int:
        """Publish what other processes wrote since the last turn; how many events."""
        await self.begin()
        version = await self._store.data_version()
        if version == self._version:
            return 0
        moment = self._clock.now()
        since = max(self._mark - _SLACK, self._started)
        here, own, following = self._store.instance.id, self._own, tuple(self._growing)
        found = await self._store.read(
            lambda s: repo.written_outside(s, since, own, here, following)
        )
        self._version, self._mark = version, moment  # read: a failed read is tried again
        self._own.forget_before(since)
        self._told = {i: at for i, at in self._told.items() if at > since}
        events = self._events(found, since)
        for event in events:
            self._bus.publish(event)
        return len(events)

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
            except ChatdeskError as error:  # the database busy or unreadable a moment
                log.warning("the watch of other processes' changes failed: %s", error)
            await asyncio.sleep(self._poll_seconds)

    def _heard(self, event: Event) -> None:
        match event:
            case ThreadCreated(thread) | ThreadUpdated(thread) | ThreadRestored(thread):
                self._threads[thread.id] = thread
            case ThreadDeleted(thread_id) if thread_id in self._threads:
                self._threads[thread_id] = _deleted(self._threads[thread_id])
            case _:
                pass

    def _events(self, found: repo.Outside, since: datetime) -> list[Event]:
        created: list[Event] = []
        changed: list[Event] = []
        for thread, updated_at in found.threads:
            if self._told.get(thread.id) != updated_at:
                self._told[thread.id] = updated_at
                before = self._threads.get(thread.id)
                (created if _is_new(thread, before, since) else changed).extend(
                    _thread_events(thread, before, since)
                )
        messages: list[Event] = []
        for message, updated_at in found.messages:
            if self._told.get(message.id) != updated_at:
                self._told[message.id] = updated_at
                messages.extend(self._message_events(message, since))
        return [*created, *messages, *changed]

    def _message_events(self, message: MessageView, since: datetime) -> list[Event]:
        told = self._growing.get(message.id)
        final = message.status.is_final
        reasoning = message.reasoning or ""
        if final:
            self._growing.pop(message.id, None)
        else:
            self._growing[message.id] = (len(message.content), len(reasoning), message.status)
        events: list[Event] = []
        if told is None:
            if message.created_at <= since:  # an older answer written again (Continue)
                events.append(MessageFinished(message) if final else AnswerContinued(message))
            else:
                events.append(MessageAdded(message))
                if final and message.role is Role.ASSISTANT:
                    events.append(MessageFinished(message))
        else:
            text, thought = message.content[told[0] :], reasoning[told[1] :]
            if text or thought:
                appended = (text, thought, told[0], told[1])
                events.append(AnswerTextAppended(message.id, message.thread_id, *appended))
            if final:
                events.append(MessageFinished(message))
        if message.status is Status.STREAMING and (told is None or told[2] is not Status.STREAMING):
            # Its words arrive over there: the status bar says so, as of an answer written here.
            provider, model = message.provider or "", message.model or ""
            stage = AnswerStageChanged(
                message.id, message.thread_id, AnswerStage.WRITING, provider, model
            )
            events.append(stage)
        return events


def _is_new(thread: ThreadView, before: ThreadView | None, since: datetime) -> bool:
    return before is None and not thread.deleted and thread.created_at > since


def _thread_events(thread: ThreadView, before: ThreadView | None, since: datetime) -> list[Event]:
    if thread.deleted:
        return [] if before is not None and before.deleted else [ThreadDeleted(thread.id)]
    if before is not None and before.deleted:
        return [ThreadRestored(thread)]
    if _is_new(thread, before, since):
        return [ThreadCreated(thread)]
    events: list[Event] = [ThreadUpdated(thread)]
    if before is not None and thread.message_count < before.message_count:
        events.append(MessagesDeleted(thread.id, ()))  # which ones is not known: read anew
    return events


def _deleted(thread: ThreadView) -> ThreadView:
    return replace(thread, deleted_at=thread.last_activity_at)
