"""One MCP server as a tool source, through the official `mcp` SDK (v2).

One long-lived session per server, owned by one task on the tools loop (`loop.py`), started on
first use and started again after it dies, waiting longer after each failure in a row (1 s,
2 s … up to a minute). Its tool list is kept until the server says it changed. How the session
reaches the server (a stdio command's environment and log, an HTTP address's headers and
sign-in) is `mcp_transport.py`'s; an address that does not speak Streamable HTTP is tried over
the older SSE transport. The SDK is imported when the first server starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.retry import Backoff
from chatdesk.core.tools.hints import is_destructive, title_of
from chatdesk.core.tools.loop import ToolsLoop
from chatdesk.core.tools.mcp_asks import ServerAsks
from chatdesk.core.tools.mcp_results import outcome_of
from chatdesk.core.tools.mcp_transport import http_transport, open_log, stdio_transport
from chatdesk.core.tools.model import CALLER, ToolInfo, ToolOutcome
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.stdio_lines import HURRIED, Parting

if TYPE_CHECKING:
    from mcp import Client
    from mcp.client.session import IncomingMessage

log = logging.getLogger("chatdesk.tools")
T = TypeVar("T")

START_TIMEOUT = 30.0  # starting a server and its handshake (npx may download first)
# A server that failed is started again on its next use, but not before 1 s, 2 s, 4 s … after
# each failure in a row, up to a minute: a broken command is not spawned on every call, and a
# server that came back is in use again within a minute. Never given up on (it stays set up),
# and not spread: a failed start costs only this machine.
RESTART_BACKOFF = Backoff(first=1.0, factor=2.0, cap=60.0, retries=None)
STOP_TIMEOUT = 10.0  # the SDK's own shutdown of a stdio server is bounded at ~6 s
MAX_DESCRIPTION = 2_000  # characters of a tool's description offered to the model


class ServerUnavailable(ChatdeskError):
    """The server could not be started or reached; the reason says why."""


class SessionAuth(Protocol):
    """How an HTTP server's session signs in (`signin.py`)."""

    def auth_for(self, config: ServerConfig) -> Any: ...  # an httpx auth

    def needed(self, server: str) -> str: ...  # why the server refused us, or ""


class _Closed(Exception):
    """The session's connection closed under a request."""


class McpServer:
    def __init__(
        self,
        config: ServerConfig,
        loop: ToolsLoop,
        log_dir: Path | None,
        secrets: Callable[[ServerConfig], dict[str, str]],
        auth: SessionAuth | None = None,
    ) -> None:
        self.config = config
        self._auth = auth  # an HTTP server's sign-in (signin.py)
        self._loop = loop
        self._log_dir = log_dir
        self._secrets = secrets  # a stdio server's env values, an HTTP server's header values
        # On the tools loop only:
        self._client: Client | None = None
        self._owner: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._closing: asyncio.Event | None = None
        self._starting: asyncio.Lock | None = None
        self._tools: list[ToolInfo] | None = None
        # Set (from the tools loop's thread) each time the server says its tools changed.
        self.tools_changed = threading.Event()
        # Set when its resources may have changed (it said so, a new session started, or this
        # server's settings are new).
        self.resources_changed = threading.Event()
        self.resources_changed.set()
        # Raised (on the tools loop) each time its prompts may have changed: the server said
        # so, or a new session began; a list kept from before is stale (`mcp_prompts.py`).
        self.prompts_version = 0
        self.prompts_changed = threading.Event()  # set when the server said they changed
        self._failures = 0
        self._retry_at = 0.0
        self._speaks_sse = False  # an HTTP server found to speak only the older SSE transport
        self._parting = Parting()  # how long a stdio server is given to exit once closed
        self.last_error = ""
        # What the server said at its handshake of how to use its tools ("": nothing). The
        # model is given them with those tools (`instructions.py`).
        self.instructions = ""
        # Its questions, progress and log messages; the asker is set by `Tools`.
        self.asks = ServerAsks(config.name, lambda: None)

    @property
    def server(self) -> str:
        return self.config.name

    @property
    def log_path(self) -> Path | None:
        """Where its stderr goes (None: nowhere)."""
        return None if self._log_dir is None else self._log_dir / f"mcp-{self.config.name}.log"

    async def tools(self) -> list[ToolInfo]:
        return await self._loop.run(self._listed())

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        with self.asks.running():
            return await self._loop.run(self._called(name, arguments))

    async def request(self, ask: Callable[[Client], Awaitable[T]]) -> T:
        """One request that changes nothing on the server (a list, a read, a prompt), made on
        the tools loop over the server's session (started if it is not running); asked of a
        fresh session once more when the connection closed under it."""
        return await self._loop.run(self._requested(ask))

    def known_tools(self) -> list[ToolInfo] | None:
        known = self._tools  # one read of a reference the tools loop replaces whole
        return list(known) if known is not None else None

    async def aclose(self, *, hurried: bool = False) -> None:
        """End the session; `hurried`: a stdio server is given a short grace to exit by itself
        (`stdio_lines.Parting`)."""
        if hurried:
            self._parting.grace = HURRIED
        if self._loop.started:
            await self._loop.run(self._close())

    # -- on the tools loop -----------------------------------------------------------------------

    async def _listed(self) -> list[ToolInfo]:
        try:
            return await self._list()
        except _Closed:  # listing changes nothing: safe to ask a fresh session once more
            return await self._list()

    async def _list(self) -> list[ToolInfo]:
        client = await self._session()
        if self._tools is None:
            listed, cursor = [], None
            while True:
                async with self._closed_is_known():
                    page = await client.list_tools(cursor=cursor, cache_mode="refresh")
                listed += page.tools
                cursor = page.next_cursor
                if not cursor:
                    break
            self._tools = [self._info(tool) for tool in listed]
        return list(self._tools)

    async def _requested(self, ask: Callable[[Client], Awaitable[T]]) -> T:
        for attempt in (1, 2):
            client = await self._session()
            try:
                async with self._closed_is_known():
                    return await ask(client)
            except _Closed:
                if attempt == 2:
                    raise ServerUnavailable(
                        tr("{server} closed the connection", server=self.server)
                    ) from None
        raise AssertionError("unreachable")

    async def _called(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        client = await self._session()
        try:
            async with self._closed_is_known():
                moved = self.asks.progress(CALLER.get())
                result = await client.call_tool(name, arguments, progress_callback=moved)
        except _Closed:
            if self._auth is not None and (needed := self._auth.needed(self.server)):
                raise ServerUnavailable(f"{self.server}: {needed}") from None
            # Never sent again by itself: the server may have run it before it went.
            raise ServerUnavailable(
                tr(
                    "{server} closed the connection during the call (it may have "
                    "exited); it starts again on the next call",
                    server=self.server,
                )
            ) from None
        listed = {tool.name: tool.output_schema for tool in self._tools or ()}
        return outcome_of(result, listed.get(name))  # checked against the schema it listed

    @contextlib.asynccontextmanager
    async def _closed_is_known(self) -> AsyncIterator[None]:
        """A closed connection (the server exited, its stream ended) ends the session: the
        next use starts a new one."""
        from mcp.shared.exceptions import MCPError
        from mcp_types.jsonrpc import CONNECTION_CLOSED

        try:
            yield
        except MCPError as error:
            if error.code != CONNECTION_CLOSED:
                raise
            self._failed(tr("it closed the connection"))
            self._retry_at = 0.0  # a server that exited is started again at once, the first time
            await self._close()
            raise _Closed from None

    async def _session(self) -> Client:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:  # calls arriving while it starts wait for that start
            return await self._started()

    async def _started(self) -> Client:
        if self._client is not None and self._owner is not None and not self._owner.done():
            return self._client
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            raise ServerUnavailable(
                tr(
                    "{server} is not running ({error}); trying again in {wait} s",
                    server=self.server,
                    error=self.last_error,
                    wait=f"{wait:.0f}",
                )
            )
        self._ready = asyncio.get_running_loop().create_future()
        self._closing = asyncio.Event()
        self._tools = None
        self.resources_changed.set()
        self.prompts_version += 1
        self._owner = asyncio.create_task(self._own(self._ready, self._closing))
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await asyncio.shield(self._ready)
        except TimeoutError:
            self._ready.cancel()  # nobody waits for it any more
            self._owner.cancel()
            self._failed(
                tr("it did not finish starting within {seconds} s", seconds=f"{START_TIMEOUT:g}")
            )
            raise ServerUnavailable(f"{self.server}: {self.last_error}") from None
        assert self._client is not None
        return self._client

    async def _own(self, ready: asyncio.Future[None], closing: asyncio.Event) -> None:
        """Hold the session open until closed or gone: the SDK's session must be entered and
        left by one task. A server set up for Streamable HTTP that fails before its handshake
        is done is tried once more over the older SSE transport (and spoken to that way from
        then on): many older servers' addresses speak only that."""
        kinds = self._kinds()
        first: BaseException | None = None
        try:
            for kind in kinds:
                try:
                    await self._hold(kind, ready, closing)
                    return
                except asyncio.CancelledError:
                    raise  # closed, or given up on by `_session` (which says why)
                except BaseException as error:  # the SDK raises groups of errors from its tasks
                    if closing.is_set():
                        return  # not while being closed: whoever closes says why
                    if not ready.done() and kind is not kinds[-1] and not _told(error):
                        first = error
                        log.info("%s did not answer over %s: %s", self.server, kind, _reason(error))
                        continue
                    reason = _reason(first or error)
                    if first is not None:
                        reason += tr(
                            " (nor over the older SSE transport: {reason})", reason=_reason(error)
                        )
                    self._failed(reason)
                    log.info("MCP server %s ended: %s", self.server, reason)
                    return
        finally:
            self._client = None
            if not ready.done():
                ready.set_exception(ServerUnavailable(f"{self.server}: {self.last_error}"))

    def _kinds(self) -> tuple[Transport, ...]:
        """The transports to try, in order."""
        if self.config.transport is not Transport.HTTP:
            return (self.config.transport,)
        return (Transport.SSE,) if self._speaks_sse else (Transport.HTTP, Transport.SSE)

    async def _hold(
        self, kind: Transport, ready: asyncio.Future[None], closing: asyncio.Event
    ) -> None:
        from mcp import Client

        errors: TextIO | None = None
        http: Any = None  # an HTTP client made here, which the SDK leaves open
        try:
            transport, errors, http = await self._transport(kind)
            # its log messages go to the stdio server's stderr log, or a log of their own
            errors = errors or open_log(self.log_path, self.server)
            asks = self.asks.callbacks(errors)
            client = Client(transport, message_handler=self._on_message, **asks)
            async with client:
                self._client = client
                self.instructions = client.instructions or ""
                # chatdesk checks a structured result itself and keeps one that does not match
                # (noted); the SDK's own check would throw the result away.
                setattr(client.session, "validate_tool_result", _unchecked)  # noqa: B010
                self._failures = 0
                if kind is not self.config.transport:
                    self._speaks_sse = True
                    log.info("MCP server %s answers over the older SSE transport", self.server)
                ready.set_result(None)
                watcher = asyncio.create_task(self._watch(client))
                try:
                    await closing.wait()
                finally:
                    watcher.cancel()
                    await asyncio.wait({watcher})
        finally:
            self._client = None
            if errors is not None:
                errors.close()
            if http is not None:
                await http.aclose()

    async def _transport(self, kind: Transport) -> tuple[Any, TextIO | None, Any]:
        """The SDK transport of `kind`, the stderr log it writes to, the HTTP client it was
        given (mcp_transport.py)."""
        secrets = await asyncio.to_thread(self._secrets, self.config)  # the keyring may be slow
        if kind is Transport.STDIO:
            return await stdio_transport(self.config, secrets, self.log_path, self._parting)
        auth = await asyncio.to_thread(self._auth.auth_for, self.config) if self._auth else None
        return http_transport(self.config, kind, secrets, auth)

    async def _watch(self, client: Client) -> None:
        """Forget the tool list when the server says it changed. Servers of the 2026-07-28
        protocol say so on a `listen` stream; older ones by a notification (`_on_message`)."""
        from mcp.client.subscriptions import ListenNotSupportedError

        try:
            async with client.listen(
                tools_list_changed=True, resources_list_changed=True, prompts_list_changed=True
            ) as changes:
                async for event in changes:
                    self._changed(type(event).__name__)
        except ListenNotSupportedError:
            return
        except Exception as error:  # the stream dropped: the list is asked for afresh
            self._tools = None
            self.prompts_version += 1
            log.info("tool list changes of %s no longer followed: %s", self.server, _reason(error))

    async def _on_message(self, message: IncomingMessage) -> None:
        from mcp_types import (
            ElicitCompleteNotification,
            PromptListChangedNotification,
            ResourceListChangedNotification,
            ToolListChangedNotification,
        )

        if isinstance(message, ToolListChangedNotification):
            self._forget_tools()
        elif isinstance(message, ResourceListChangedNotification):
            self.resources_changed.set()
        elif isinstance(message, PromptListChangedNotification):
            self._forget_prompts()
        elif isinstance(message, ElicitCompleteNotification):  # protocols before 2026-07-28
            self.asks.completed(message.params.elicitation_id)

    def _changed(self, event: str) -> None:
        """A change a `listen` stream told of, by its event's name."""
        if event == "ToolsListChanged":
            self._forget_tools()
        elif event == "ResourcesListChanged":
            self.resources_changed.set()
        elif event == "PromptsListChanged":
            self._forget_prompts()

    def _forget_tools(self) -> None:
        """The server's tools changed: listed again on next use."""
        self._tools = None
        self.tools_changed.set()

    def _forget_prompts(self) -> None:
        self.prompts_version += 1
        self.prompts_changed.set()

    def _failed(self, reason: str) -> None:
        self.last_error = reason
        self._failures += 1
        self._retry_at = time.monotonic() + RESTART_BACKOFF.delay(self._failures - 1)

    async def _close(self) -> None:
        owner, closing = self._owner, self._closing
        if owner is None or closing is None or owner.done():
            return
        closing.set()
        await asyncio.wait({owner}, timeout=STOP_TIMEOUT)  # the SDK ends the process gently
        if not owner.done():
            owner.cancel()
            await asyncio.wait({owner}, timeout=STOP_TIMEOUT)

    def _info(self, tool: Any) -> ToolInfo:
        annotations = tool.annotations
        return ToolInfo(
            server=self.server,
            name=tool.name,
            description=(tool.description or "")[:MAX_DESCRIPTION],
            parameters=tool.input_schema or {"type": "object", "properties": {}},
            read_only=bool(annotations is not None and annotations.read_only_hint),
            destructive=is_destructive(tool),
            title=title_of(tool),
            output_schema=tool.output_schema,
        )


async def _unchecked(name: str, result: Any) -> None:
    """In place of the SDK's check of a structured result (`structured.py` checks it)."""


def _told(error: BaseException) -> bool:
    """A failure chatdesk raised itself (a sign-in is needed …): no other transport helps."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return isinstance(error, ChatdeskError)


def _reason(error: BaseException) -> str:
    """The first real cause inside the SDK's groups of errors, in a line."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, ChatdeskError):  # says what to do already (a sign-in is needed …)
        return str(error)
    if isinstance(error, FileNotFoundError):
        return tr("its command was not found ({command})", command=error.filename or error)
    if _closed(error):  # a command that exited as it started says no more than this
        return tr("it closed the connection")
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _closed(error: BaseException) -> bool:
    from mcp.shared.exceptions import MCPError
    from mcp_types.jsonrpc import CONNECTION_CLOSED

    return isinstance(error, MCPError) and error.code == CONNECTION_CLOSED
