"""Team sync for the window: async calls over the blocking engine, and setting the server up.

The window awaits these on the asyncio loop; each runs the engine's blocking work on a worker
thread. Changing the server or the login rebuilds the connection and restarts the worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

from chatdesk.core.chat.views import SyncNoteView
from chatdesk.core.config import SyncSettings
from chatdesk.core.secrets import KeyStore
from chatdesk.core.sync.engine import SyncEngine, SyncStatus
from chatdesk.core.sync.remote import Remote, Team
from chatdesk.core.sync.setup import configured, connector, conninfo, key_name, origin


@dataclasses.dataclass(frozen=True)
class LoginState:
    settings: SyncSettings
    has_password: bool  # a password for this user and server is in the keyring
    keyring_reason: str  # why there is no keyring; empty when there is one


class TeamSync:
    def __init__(self, engine: SyncEngine, settings: SyncSettings, keys: KeyStore) -> None:
        self.engine = engine
        self._settings = settings
        self._keys = keys

    @property
    def configured(self) -> bool:
        return self.engine.configured

    @property
    def status(self) -> SyncStatus:
        return self.engine.status

    async def teams(self) -> list[Team]:
        return await asyncio.to_thread(self.engine.teams)

    async def sync_now(self) -> SyncStatus:
        """One exchange now; offline or refused is reported in the status, not raised."""
        return await asyncio.to_thread(self.engine.sync_now)

    async def share(self, thread_id: uuid.UUID, team_id: uuid.UUID) -> None:
        await asyncio.to_thread(self.engine.share, thread_id, team_id)

    async def unshare(self, thread_id: uuid.UUID) -> None:
        await asyncio.to_thread(self.engine.unshare, thread_id)

    async def notes(self, thread_id: uuid.UUID) -> list[SyncNoteView]:
        return await asyncio.to_thread(self.engine.notes, thread_id)

    async def dismiss_notes(self, thread_id: uuid.UUID) -> None:
        await asyncio.to_thread(self.engine.dismiss_notes, thread_id)

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
