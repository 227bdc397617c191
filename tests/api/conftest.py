"""A real local API for each test: the core the composition root builds (real SQLite in the
test's home, the offline mock), served by uvicorn on 127.0.0.1 on a port the system picks, and
called over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest_asyncio

from chatdesk.api.options import ApiOptions
from chatdesk.api.server import ApiServer
from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.config import ApiSettings

KEY = "cdk-test-key-0123456789"


@dataclass
class Served:
    core: Core
    server: ApiServer
    url: str  # http://127.0.0.1:PORT
    key: str = KEY

    @property
    def port(self) -> int:
        return int(self.url.rpartition(":")[2])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def serve(core: Core, api: ApiSettings | None = None) -> ApiServer:
    options = ApiOptions.of(api or ApiSettings(), port=0)
    server = ApiServer(core, options, lambda: KEY)
    await server.start()
    return server


@asynccontextmanager
async def serving(api: ApiSettings | None = None) -> AsyncIterator[Served]:
    """A core built from the settings now in effect (the environment's too), served with `api`
    (None: the defaults)."""
    core = build_core(configure())
    await core.start()
    server = await serve(core, api)
    try:
        yield Served(core, server, server.address)
    finally:
        await server.stop()
        await core.aclose()


@pytest_asyncio.fixture
async def served() -> AsyncIterator[Served]:
    async with serving() as running:
        yield running
