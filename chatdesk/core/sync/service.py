"""Team sync for the window: async calls over the blocking engine, and setting the server up.

The window awaits these on the asyncio loop; each runs the engine's blocking work on a worker
thread. Changing the server or the login rebuilds the connection and restarts the worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.core.config import SyncSettings
from chatdesk.core.secrets import KeyStore
from chatdesk.core.sync.base import SyncStatus as SyncStatus
from chatdesk.core.sync.base import Team as Team
from chatdesk.core.sync.setup import configured, connector, conninfo, key_name, origin
from chatdesk.core.views import SyncNoteView, SyncState

if TYPE_CHECKING:
    from chatdesk.core.sync.engine import SyncEngine

_OFF = SyncStatus(SyncState.OFF, "", 0, 0, None)


@dataclasses.dataclass(frozen=True)
class LoginState:
    settings: SyncSettings
    has_password: bool  # a password for this user and server is in the keyring
    keyring_reason: str  # why there is no keyring; empty when there is one


@dataclasses.dataclass(frozen=True)
class TeamOverview:
    """Where team sync stands here, as `chatdesk sync status` prints it."""

    pending: int  # changes waiting to be sent
    rejected: list[tuple[int, str, str]]  # refused by the server: (op, what, why), oldest first
    teams: list[Team]  # as they were at the last exchange
    lost_edits: int  # edits here that lost to newer ones, not dismissed yet


def log_in(settings: SyncSettings, password: str, keys: KeyStore) -> list[Team]:
    """Connect with `settings` and `password` (a bad login is refused, the typed error saying
    why), keep the password in the keyring, and return the user's teams. Saving the settings
    is the caller's."""
    from chatdesk.core.sync.remote import Remote

    remote = Remote.open(conninfo(settings), password)
    try:
        teams = remote.teams()
    finally:
        remote.close()
    keys.set(key_name(settings), origin(settings), password)
    return teams


class TeamSync:
    """The engine is made when it is needed: when the core starts if a server is set up or a
    thread is shared (`prepare`), else when the user sets a server up (until then sync costs
    nothing)."""

    def __init__(
        self,
        make_engine: Callable[[bool], SyncEngine],
        settings: SyncSettings,
        keys: KeyStore,
        any_shared: Callable[[], bool],
    ) -> None:
        """`make_engine(shared)`; `any_shared()` reads (blocking) whether a thread here is
        shared with a team."""
        self._make_engine = make_engine
        self._engine: SyncEngine | None = None
        self._making = threading.Lock()
        self._settings = settings
        self._keys = keys
        self._any_shared = any_shared

    async def prepare(self) -> None:
        """Make the engine if a server is set up or a thread is shared: before the core's
        first write, so that its recorder sees every write to a shared thread."""
        if self._engine is None:
            await asyncio.to_thread(self._prepare)

    def _prepare(self) -> None:
        shared = self._any_shared()
        if shared or configured(self._settings):
            self._made(shared)

    @property
    def engine(self) -> SyncEngine:
        return self._made(None)

    def _made(self, shared: bool | None) -> SyncEngine:
        """The engine, made now if it was not (`shared`: what `any_shared()` said, if read)."""
        with self._making:
            if self._engine is None:
                self._engine = self._make_engine(self._any_shared() if shared is None else shared)
            return self._engine

    @property
    def built(self) -> SyncEngine | None:
        return self._engine

    @property
    def configured(self) -> bool:
        return configured(self._settings)

    @property
    def status(self) -> SyncStatus:
        return self._engine.status if self._engine is not None else _OFF

    def start(self) -> None:
        if self._engine is not None:
            self._engine.start()

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.stop()

    async def overview(self) -> TeamOverview:
        """What waits, what was refused, the teams and the lost edits (the engine is made if it
        was not: its outbox is read)."""

        def read() -> TeamOverview:
            engine = self.engine
            pending, _ = engine.outbox()
            return TeamOverview(pending, engine.rejected(), engine.teams(), len(engine.notes()))

        return await asyncio.to_thread(read)

    async def exchange(self) -> SyncStatus:
        """One exchange now (teams, push, pull); offline or refused raises the typed error,
        which the status then says too."""
        return await asyncio.to_thread(lambda: self.engine.round())

    async def teams(self) -> list[Team]:
        if self._engine is None:
            return []
        return await asyncio.to_thread(self._engine.teams)

    async def sync_now(self) -> SyncStatus:
        """One exchange now; offline or refused is reported in the status, not raised."""
        return await asyncio.to_thread(lambda: self.engine.sync_now())

    async def share(self, thread_id: uuid.UUID, team_id: uuid.UUID) -> None:
        await asyncio.to_thread(lambda: self.engine.share(thread_id, team_id))

    async def unshare(self, thread_id: uuid.UUID) -> None:
        await asyncio.to_thread(lambda: self.engine.unshare(thread_id))

    async def notes(self, thread_id: uuid.UUID) -> list[SyncNoteView]:
        if self._engine is None:
            return []
        return await asyncio.to_thread(self._engine.notes, thread_id)

    async def dismiss_notes(self, thread_id: uuid.UUID) -> None:
        await asyncio.to_thread(lambda: self.engine.dismiss_notes(thread_id))

    async def login_state(self) -> LoginState:
        def look() -> LoginState:
            if not self._keys.available or not configured(self._settings):
                return LoginState(self._settings, False, self._keys.reason)
            found = self._keys.get(key_name(self._settings), origin(self._settings))
            return LoginState(self._settings, found is not None, "")

        return await asyncio.to_thread(look)

    async def test_login(self, settings: SyncSettings, password: str | None) -> list[Team]:
        """Connect with these settings (and this password, or the saved one) and list the
        teams; raises the typed error that says what is wrong."""

        def test() -> list[Team]:
            from chatdesk.core.sync.remote import Remote

            secret = password or self._saved_password(settings)
            remote = Remote.open(conninfo(settings), secret)
            try:
                return remote.teams()
            finally:
                remote.close()

        return await asyncio.to_thread(test)

    async def apply_login(self, settings: SyncSettings, password: str | None) -> None:
        """Use these server settings from now on (saved by the caller with the preferences);
        a new password goes to the keyring. An empty host turns sync off."""

        def apply() -> None:
            if password:
                self._keys.set(key_name(settings), origin(settings), password)
            self._settings = settings
            self.engine.reconfigure(connector(settings, self._keys), settings.poll_seconds)
            # Set up for the first time in this session: no worker ran before to restart.
            self.engine.start()

        await asyncio.to_thread(apply)

    def _saved_password(self, settings: SyncSettings) -> str | None:
        if not self._keys.available:
            return None
        return self._keys.get(key_name(settings), origin(settings))
