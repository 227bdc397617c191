"""The local API served by the window, on its own event loop, while [api] enabled is on.

Nothing of the API (chatdesk.api, FastAPI, uvicorn) is imported until it is switched on. One
task, started then through the window's `Runner`, keeps the server as the settings want it:
it stops and starts it again when a setting of [api] changes, stops it when switched off, and
stops it when the window closes (the Runner's tasks end before the core closes). The key is
read from the keyring (made on first enable) off the GUI thread and kept here, so a request
never waits for the keyring; Rotate replaces it at once, and while it serves the keyring is
read again every `KEY_LOOK_S` seconds, so a key rotated elsewhere (`chatdesk api key --rotate`)
shuts the old one out within that time. How it stands (off, starting, running
at an address, or why it could not start) is `state`, shown by the status bar's item and by
Preferences ▸ Local API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStatusBar, QToolButton

from chatdesk.core.api_keys import ApiKeys
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.ui.settings.api_state import ApiState, Serving

if TYPE_CHECKING:
    from chatdesk.api.server import ApiServer
    from chatdesk.api.surface import ApiCore
    from chatdesk.core.config import ApiSettings
    from chatdesk.core.secrets import KeyStore, SessionKeys
    from chatdesk.ui.runner import Runner

log = logging.getLogger("chatdesk.ui")
FAILURE_SHOWN_MS = 15_000  # the status bar's message when it cannot start
KEY_LOOK_S = 2.0  # while serving, how often the keyring is read again for a rotated key


class LocalApi(QObject):
    """The window's local API: `apply(settings.api)` whenever the settings change."""

    changed = Signal()  # `state` or `key` changed

    def __init__(
        self,
        core: ApiCore,
        keys: KeyStore | SessionKeys,
        runner: Runner,
        status_bar: QStatusBar,
        open_page: Callable[[], object],
    ) -> None:
        super().__init__(status_bar)
        self._core = core
        self._keys = ApiKeys(keys)
        self._runner = runner
        self._status_bar = status_bar
        self.state = ApiState()
        self.key: str | None = None  # read off the GUI thread (`read_key`, or on start)
        self._rotations = 0
        self._wanted: ApiSettings | None = None
        self._change: asyncio.Event | None = None
        self._task: asyncio.Task[object] | None = None
        self.item = _status_item(status_bar, open_page)
        self.changed.connect(self._show_item)

    @property
    def from_environment(self) -> bool:
        """The key is `CHATDESK_API_KEY`'s: it cannot be rotated from here."""
        return self._keys.from_environment

    def apply(self, api: ApiSettings) -> None:
        """Serve as `api` says from now on (nothing is loaded while it was never on)."""
        self._wanted = api
        if self._task is None and api.enabled:
            self._change = asyncio.Event()
            self._task = self._runner.run(self._keep_serving(self._change), quiet=True)
        if self._change is not None:
            self._change.set()

    def follow(self, changed: Callable[[], object]) -> None:
        self.changed.connect(changed)

    def read_key(self) -> None:
        """Read the key in use into `key` (None before the first enable), off the GUI thread."""
        rotations = self._rotations

        def read(key: str | None) -> None:
            if rotations == self._rotations:  # else it may be the key a rotation replaced
                self._have_key(key)

        self._runner.run(self._runner.off_thread(self._keys.current), done=read)

    def rotate(self, failure: Callable[[ChatdeskError], object]) -> None:
        """A new key; programs using the old one are refused from the next request."""
        self._rotations += 1
        rotating = self._runner.off_thread(self._keys.rotate)
        self._runner.run(rotating, done=self._have_key, failure=failure)

    async def _look_at_key(self) -> None:
        """Take the keyring's key when it changed there (rotated by another chatdesk)."""
        rotations = self._rotations
        try:
            key = await self._runner.off_thread(self._keys.current)
        except ChatdeskError as error:  # the keyring went away: the key in hand still holds
            log.info("the local API's key was not read again: %s", error)
            return
        if rotations == self._rotations and key is not None and key != self.key:
            self._have_key(key)

    def _have_key(self, key: str | None) -> None:
        self.key = key
        self.changed.emit()

    def _set_state(self, state: ApiState) -> None:
        self.state = state
        self.changed.emit()

    async def _keep_serving(self, change: asyncio.Event) -> None:
        """Until the window closes: the server as the last applied settings want it."""
        server: ApiServer | None = None
        served: ApiSettings | None = None
        try:
            while True:
                if not await _set_within(change, KEY_LOOK_S if server is not None else None):
                    await self._look_at_key()
                    continue
                change.clear()
                wanted = self._wanted
                if wanted is None or wanted == served:
                    continue
                if server is not None:
                    stopping: ApiServer = server
                    server = None
                    await stopping.stop()
                    self._set_state(ApiState())
                served = wanted
                if wanted.enabled:
                    server = await self._start(wanted)
        finally:
            if server is not None:
                await server.stop()

    async def _start(self, api: ApiSettings) -> ApiServer | None:
        self._set_state(ApiState(Serving.STARTING))
        try:
            rotations = self._rotations
            key = await self._runner.off_thread(self._keys.ensure)
            if rotations == self._rotations or self.key is None:
                self._have_key(key)
            await self._runner.off_thread(_load_api)  # FastAPI: hundreds of ms, not on this thread
            from chatdesk.api.options import ApiOptions
            from chatdesk.api.server import ApiServer

            server = ApiServer(self._core, ApiOptions.of(api), lambda: self.key)
            await self._runner.off_thread(server.warm)  # its routes, built before a request
            port = (await server.start()).rpartition(":")[2]
        except ChatdeskError as error:
            log.warning("the local API did not start: %s", error)
            self._set_state(ApiState(Serving.FAILED, error=str(error)))
            self._status_bar.showMessage(str(error), FAILURE_SHOWN_MS)
            return None
        # This computer reaches it on loopback, also when it listens on every interface.
        self._set_state(ApiState(Serving.RUNNING, f"http://127.0.0.1:{port}", lan=api.lan))
        return server

    def _show_item(self) -> None:
        running = self.state.serving is Serving.RUNNING
        self.item.setVisible(running)
        if running:
            shown = self.state.address.removeprefix("http://")
            # translators: the status bar's item while the local API runs: "API · 127.0.0.1:4315"
            self.item.setText(tr("API · {address}", address=shown))
            said = tr("The local API is running at {address}", address=self.state.address)
            self.item.setAccessibleName(said)
            self.item.setToolTip(said + "\n" + tr("Click for Preferences ▸ Local API"))


def _load_api() -> None:
    from chatdesk.api.server import load

    load()


def _status_item(status_bar: QStatusBar, open_page: Callable[[], object]) -> QToolButton:
    item = QToolButton(status_bar)
    item.setObjectName("localApiStatus")
    item.setAutoRaise(True)
    item.setAccessibleName(tr("Local API"))
    item.clicked.connect(lambda: open_page())
    item.hide()
    status_bar.addPermanentWidget(item)
    return item


async def _set_within(event: asyncio.Event, seconds: float | None) -> bool:
    """Whether `event` was set within `seconds` (None: waits for it)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
