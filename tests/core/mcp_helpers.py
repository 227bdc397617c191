"""What the MCP tests share: the test server (`tests/core/mcp_server.py`, with every part in
`mcp_parts/`) as a stdio server's configuration or run over HTTP in its own process, a `Tools`
of a test's own, a whole service with tool servers on, a chat with the test server on, and a
port its tools report to."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble, tools_in
from chatdesk.core.config import ToolsSettings
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools
from chatdesk.core.views import MessageView, ThreadView

SERVER = Path(__file__).with_name("mcp_server.py")


def stdio(name: str = "test", mode: str = "stdio", **more: object) -> ServerConfig:
    """The test server as a stdio server named `name`, its command allowed."""
    args = ("-I", str(SERVER), mode)
    return ServerConfig(
        name, Transport.STDIO, command=sys.executable, args=args, command_approved=True, **more
    )  # type: ignore[arg-type]


def served(mode: str, path: str) -> Iterator[str]:
    """The test server over HTTP: its first line is its port, said once it takes connections."""
    process = subprocess.Popen(
        [sys.executable, "-I", str(SERVER), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def service_with_tools(
    store: Store, config: Configuration, log_dir: Path, providers: Providers | None = None
) -> ChatService:
    """A whole service over `store` whose tool servers may be on (the mock model unless
    `providers`), its servers' file in the configuration folder and their logs in `log_dir`."""
    return assemble(
        store,
        providers or Providers({"mock": MockProvider(config.settings.mock)}),
        dataclasses.replace(config.settings, tools=ToolsSettings()),
        tools_dir=config.paths.config_dir,
        log_dir=log_dir,
    )


async def chat_with_server(
    service: ChatService, name: str = "test", title: str | None = None
) -> ThreadView:
    """A new chat with the test server on as `name`, its calls allowed."""
    await service.tools.add_server(stdio(name))
    service.tools.policies.set(name, Policy.ALLOW)
    thread = await service.create_thread(title=title)
    await service.set_thread_tools(thread.id, [name])
    return thread


async def answer_with_server(service: ChatService, text: str) -> tuple[ThreadView, MessageView]:
    """`text` sent in a new chat with the test server on, and its answer once it ended;
    `service` is closed after."""
    try:
        thread = await chat_with_server(service)
        turn = await service.send(thread.id, text)
        return thread, await service.wait_for_answer(turn.answer.id)
    finally:
        await service.aclose()


@pytest_asyncio.fixture
async def tools(config: Configuration, tmp_path: Path) -> AsyncIterator[Tools]:
    made = tools_in(lambda: config.settings, config.paths.config_dir, log_dir=tmp_path / "logs")
    yield made
    await made.aclose()


@pytest.fixture
def http_server() -> Iterator[str]:
    yield from served("http", "/mcp")


@pytest.fixture
def sse_server() -> Iterator[str]:
    yield from served("sse", "/sse")


def over(transport: str) -> Iterator[ServerConfig]:
    """The test server as "test", over stdio or Streamable HTTP (served while iterated)."""
    if transport == "stdio":
        yield stdio()
        return
    for url in served("http", "/mcp"):
        yield ServerConfig("test", Transport.HTTP, url=url)


async def tools_with(
    config: Configuration, tmp_path: Path, server: ServerConfig
) -> AsyncIterator[Tools]:
    """A `Tools` of the test's own with `server` added, closed at the end."""
    made = tools_in(lambda: config.settings, config.paths.config_dir, log_dir=tmp_path / "logs")
    await made.add_server(server)
    yield made
    await made.aclose()


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[tuple[int, asyncio.Queue[bytes]]]:
    """A port of 127.0.0.1 the server's tool says "started" and "cancelled" to, and what it
    said, a connection each."""
    said: asyncio.Queue[bytes] = asyncio.Queue()

    async def heard(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        said.put_nowait(await reader.read())
        writer.close()

    server = await asyncio.start_server(heard, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], said
    finally:
        server.close()
