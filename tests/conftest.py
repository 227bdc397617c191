"""Shared fixtures: every test gets its own chatdesk home (data, config, logs) in tmp_path."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import keyring
import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration, configure
from chatdesk.core.assembly import assemble
from chatdesk.core.providers.base import Provider, Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from tests.keyrings import MemoryKeyring

# The encodings the repository ships, under the names tiktoken's cache gives them: tiktoken
# itself (the tests' reference counts) reads them from there instead of downloading them, and
# a cache folder set on the developer's machine stays out of the tests.
SHIPPED_TIKTOKEN = Path(__file__).resolve().parents[1] / "resources" / "tiktoken"


@pytest.fixture(autouse=True)
def chatdesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):  # the developer's own settings and keys stay out of tests
        if name.startswith(("CHATDESK_", "OPENAI_")) and name != "CHATDESK_TEST_COLD":
            monkeypatch.delenv(name)  # (the tests' own switch stays: tests/e2e/cli.py)
    home = tmp_path / "home"
    monkeypatch.setenv("CHATDESK_HOME", str(home))
    monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", "0")
    # chatdesk's English, whatever language the machine running the tests speaks
    monkeypatch.setenv("CHATDESK_UI_LANGUAGE", "en")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(SHIPPED_TIKTOKEN))
    # Qt draws offscreen: not a client of the developer's Wayland desktop, whose portal would
    # be asked for the global shortcut (tests/ui/test_shortcut_portal.py brings its own)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Keys stored by a test stay in the test: never the developer's or CI's real keyring,
    in this process or in the chatdesk processes a test starts."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def config(chatdesk_home: Path) -> Configuration:
    return configure()


@pytest.fixture
def store(config: Configuration) -> AsyncIterator[Store]:
    opened = open_store(config.paths, config.settings)
    yield opened
    opened.close()


ServiceFactory = Callable[..., ChatService]


@pytest_asyncio.fixture
async def make_service(store: Store, config: Configuration) -> AsyncIterator[ServiceFactory]:
    """Build a ChatService on the test's store with the given providers (mock by default)."""
    made: list[ChatService] = []

    def factory(settings: object = None, **providers: Provider) -> ChatService:
        chosen = providers or {"mock": MockProvider(config.settings.mock)}
        service = assemble(store, Providers(chosen), settings or config.settings)  # type: ignore[arg-type]
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.aclose()


@pytest_asyncio.fixture
async def service(make_service: ServiceFactory) -> ChatService:
    return make_service()
