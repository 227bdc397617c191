"""Serving the app: uvicorn on the event loop that is running, the window's own or `chatdesk
serve`'s, on a socket bound here so a port in use is said at once, in words."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

from chatdesk.api.app import make_app
from chatdesk.api.auth import KeySource
from chatdesk.api.options import ApiOptions
from chatdesk.api.surface import ApiCore
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

log = logging.getLogger("chatdesk.api")


def load() -> None:
    """Import what serving needs (the routes, uvicorn's protocols), so that `ApiServer.start`
    on the event loop only binds and serves: the window calls this off the GUI thread when the
    API is switched on (FastAPI and Pydantic take a few hundred ms to load)."""
    import uvicorn.lifespan.off
    import uvicorn.protocols.http.h11_impl
    import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401

    _load_streaming()

    from chatdesk.api.routes import routers

    routers()


def _load_streaming() -> None:
    """anyio's asyncio part, which Starlette's streamed responses import on their first use
    (~30 ms): not on the event loop, under the first client's stream."""
    import anyio._backends._asyncio  # noqa: F401


LISTEN_BACKLOG = 128  # connections the system holds until they are accepted
ACCEPTED_PER_TURN = 8


class ApiUnavailable(ChatdeskError):
    """The API cannot listen where it was asked to (the port is taken, the address wrong)."""


class _Server(uvicorn.Server):
    """uvicorn, leaving the process's signals alone unless it owns the process (`serve`)."""

    def __init__(self, config: uvicorn.Config, *, own_signals: bool) -> None:
        super().__init__(config)
        self._own_signals = own_signals
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if self._own_signals:
            with super().capture_signals():
                yield
        else:
            yield


class ApiServer:
    """The local API listening on `options.host:port` until `stop`."""

    def __init__(
        self, core: ApiCore, options: ApiOptions, key: KeySource, *, own_signals: bool = False
    ) -> None:
        self._options = options
        self._app = make_app(core, options, key)
        self._own_signals = own_signals
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    @property
    def address(self) -> str:
        """`http://host:port`, the port the socket has (port 0 asks the system for one)."""
        assert self._socket is not None, "not started"
        host, port = self._socket.getsockname()[:2]
        shown = "127.0.0.1" if self._options.loopback_only else host
        return f"http://{shown}:{port}"

    @property
    def app(self) -> Any:
        return self._app

    @property
    def options(self) -> ApiOptions:
        return self._options

    def warm(self) -> None:
        """Build what FastAPI otherwise builds at the first request (each router's routes with
        their dependencies, ~100 ms): the window calls this off the GUI thread before `start`,
        so no request holds its loop for that. FastAPI builds them under a lock of its own;
        a FastAPI that builds them at once has nothing to build here."""
        _load_streaming()
        for route in self._app.router.routes:
            for build in ("effective_candidates", "effective_low_priority_routes"):
                method = getattr(route, build, None)
                if callable(method):
                    method()

    async def start(self) -> str:
        self._socket = _bind(self._options.host, self._options.port)
        config = uvicorn.Config(
            self._app,
            log_config=None,
            access_log=False,  # the guard logs each request, without its query or body
            lifespan="off",
            http="h11",  # pure Python, so the same everywhere (httptools is not installed)
            ws="websockets-sansio",
            ws_max_size=self._options.max_body_bytes,
            ws_ping_interval=None,  # the sockets' own heartbeat keeps connections alive
            server_header=False,
            timeout_graceful_shutdown=2,
            # asyncio accepts up to this many waiting connections in one turn of the loop:
            # a burst of clients is taken a few at a time, between the window's frames.
            backlog=ACCEPTED_PER_TURN,
        )
        self._server = _Server(config, own_signals=self._own_signals)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        ready = asyncio.ensure_future(self._server.ready.wait())
        await asyncio.wait((ready, self._task), return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if self._task.done():
            self._task.result()  # its failure, raised here
            raise ApiUnavailable(tr("The local API stopped as it started; see the log."))
        self._socket.listen(LISTEN_BACKLOG)  # the system's queue stays long (asyncio shortened it)
        log.info("local API listening on %s", self.address)
        return self.address

    async def wait(self) -> None:
        """Until the server stops (Ctrl+C under `chatdesk serve`)."""
        if self._task is not None:
            await self._task

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._server = self._task = None
        if self._socket is not None:
            self._socket.close()
        log.info("local API stopped")


def _bind(host: str, port: int) -> socket.socket:
    try:
        listening = socket.create_server((host, port), backlog=LISTEN_BACKLOG)
    except OSError as error:
        raise ApiUnavailable(
            tr(
                "The local API cannot listen on {host}:{port}: {reason}. Another program may "
                "use that port; choose another in Preferences ▸ Local API or with --port.",
                host=host,
                port=port,
                reason=error.strerror or str(error),
            )
        ) from error
    # Named as TCP, so the connections it accepts are too, and asyncio sends each write at
    # once (TCP_NODELAY) instead of holding a stream's next chunk until the client's delayed
    # acknowledgement (~40 ms): `create_server` leaves the protocol 0, which asyncio skips.
    listening = socket.socket(
        listening.family, listening.type, socket.IPPROTO_TCP, fileno=listening.detach()
    )
    listening.setblocking(False)
    return listening
