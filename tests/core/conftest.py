"""What the core's tests share: a real OpenAI-compatible server on 127.0.0.1
(tests/core/sse_server.py), and a provider that talks to it; the test MCP server's fixtures
(tests/core/mcp_helpers.py); a reading child's supervisor, as the app shares one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from chatdesk.core.attach.worker import Reader
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from tests.core.mcp_helpers import http_server, sse_server, tools  # noqa: F401 (fixtures)
from tests.core.sse_server import FakeOpenAI

MODEL = "small-model"
WAIT = 10.0  # upper bound for waiting on the server thread; never reached when things work


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    yield fake
    fake.close()


@pytest.fixture
def profile(server: FakeOpenAI) -> ProviderProfile:
    """The provider's profile: "openai" at the server, no key; a module that needs another
    profile (a key, a model of its own) overrides this fixture."""
    return ProviderProfile("openai", server.url, default_model=MODEL, context_window=4096)


@pytest_asyncio.fixture
async def provider(profile: ProviderProfile) -> AsyncIterator[OpenAICompatibleProvider]:
    made = OpenAICompatibleProvider(profile)
    yield made
    await made.aclose()


@pytest.fixture
def reader() -> Iterator[Reader]:
    """The reading child's supervisor: its child starts only with the first file read."""
    made = Reader()
    yield made
    made.close()
