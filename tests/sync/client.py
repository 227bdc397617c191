"""A chatdesk client for sync tests: its own SQLite file, chat service and sync engine.

Service calls are async and run on the client's own event loop (`client.run(...)`); sync steps
are blocking (`client.engine.round()`, `push_once`, `pull_team`). A `Link` stands between the
engine and the server so a test can cut the connection or lose an acknowledgement.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from chatdesk.core.assembly import assemble
from chatdesk.core.chat.events import Event
from chatdesk.core.config import MockSettings, Settings
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.store import open_store
from chatdesk.core.sync.base import PendingOp, SyncUnavailable, any_shared
from chatdesk.core.sync.engine import SyncEngine
from chatdesk.core.sync.hlc import Clock
from chatdesk.core.sync.remote import PROTOCOL, PushResult, Remote
from chatdesk.core.views import ThreadFilter, ThreadView
from tests.sync.conftest import Member

T = TypeVar("T")


class Link:
    """The wire between one client and the server, with faults a test can switch on."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self.cut = False  # every connection attempt and call fails
        self.lose_next_ack = False  # the next push commits on the server, then the reply is lost
        self.before_listen: Callable[[], object] | None = None  # run once, just before LISTEN
        self.files_asked: list[str] = []  # every hash asked about with files_missing
        self.protocol = PROTOCOL  # an older one: this client plays an older chatdesk

    def connect(self) -> Remote:
        if self.cut:
            raise SyncUnavailable("network unreachable (test)")
        remote = Remote.open(self.member.dsn, None, protocol=self.protocol)
        return _FaultyRemote(remote.connection, self)


class _FaultyRemote(Remote):
    def __init__(self, connection: Any, link: Link) -> None:
        super().__init__(connection, link.protocol)
        self._link = link

    def listener(self) -> Any:
        hook, self._link.before_listen = self._link.before_listen, None
        if hook is not None:
            hook()
        return super().listener()

    def files_missing(self, team_id: uuid.UUID, digests: list[str]) -> set[str]:
        self._link.files_asked += digests
        return super().files_missing(team_id, digests)

    def push(self, ops: list[PendingOp]) -> PushResult:
        if self._link.cut:
            raise SyncUnavailable("network unreachable (test)")
        result = super().push(ops)
        if self._link.lose_next_ack:
            self._link.lose_next_ack = False
            raise SyncUnavailable("connection lost before the reply (test)")
        return result


class Client:
    def __init__(
        self,
        home: Path,
        member: Member,
        *,
        clock: Clock | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.home = home
        self.member = member
        self.link = Link(member)
        self.settings = settings or Settings(mock=MockSettings(tokens_per_second=0))
        self.skew_ms = 0  # added to the wall clock of every launch without an explicit clock
        self.events: list[Event] = []
        self.loop = asyncio.new_event_loop()
        self._clock = clock
        self._open()

    def _open(self) -> None:
        paths = Paths(self.home / "data", self.home / "config", self.home / "log", self.home / "c")
        settings = self.settings
        self.store = open_store(paths, settings)
        self.mock = MockProvider(settings.mock)  # a test may switch a fault on for a while
        self.service = assemble(self.store, Providers({"mock": self.mock}), settings)
        self.service.events.subscribe(self.events.append)
        clock = self._clock or Clock(wall_ms=self._wall_ms)
        self.engine = SyncEngine(
            self.store,
            self.link.connect,
            blobs=self.service.attachments.blobs,
            shared=any_shared(self.store),
            publish_event=self.events.append,
            clock=clock,
        )

    def _wall_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.skew_ms

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def crash(self) -> None:
        """Drop everything in memory (no clean shutdown of the engine) and open the same
        database again, as a new launch with a new HLC node."""
        self.engine._drop_connection()
        self.run(self.service.aclose())
        self.store.close()
        self._clock = None
        self._open()

    def close(self) -> None:
        self.engine.stop()
        self.run(self.service.aclose())
        self.store.close()
        self.loop.close()

    # -- conveniences ----------------------------------------------------------------------------

    def threads(self) -> list[ThreadView]:
        page = self.run(self.service.list_threads(ThreadFilter(archived=None), limit=1000))
        return list(page.threads)

    def texts(self, thread_id: uuid.UUID) -> list[str]:
        page = self.run(self.service.list_messages(thread_id, limit=1000))
        return [m.content for m in page.messages]

    def say(self, thread_id: uuid.UUID, text: str) -> None:
        turn = self.run(self.service.send(thread_id, text))
        self.run(self.service.wait_for_answer(turn.answer.id))
