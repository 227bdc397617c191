"""Provider profiles: the profiles file, keys bound to hosts, live edits, connection tests."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
import pytest_asyncio
from keyring.backends import fail

from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.providers.base import Providers, UsageReport
from chatdesk.core.providers.manager import KeyKeeping, KeyState, ProviderManager
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profile_file import load_profiles, save_profiles
from chatdesk.core.providers.profiles import PRESETS, ProviderProfile
from chatdesk.core.secrets import SERVICE, KeyStore, NoKeyring, is_local_host
from tests.core.sse_server import FakeOpenAI
from tests.keyrings import MemoryKeyring
from tests.ports import free_port

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

KEY = "sk-profile-canary-8e2b61f0c4"
OTHER_KEY = "sk-other-canary-1d9a3e7b55"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("llama3.2", "qwen2.5"), key=KEY).start()
    yield fake
    fake.close()


@pytest.fixture
def profiles_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "providers.toml"


@pytest_asyncio.fixture
async def manager(profiles_file: Path) -> AsyncIterator[ProviderManager]:
    made = ProviderManager(profiles_file, Providers({}), keys=KeyStore())
    await made.load()
    yield made
    await made.aclose()


def _profile(url: str, name: str = "local", **changes: object) -> ProviderProfile:
    return dataclasses.replace(ProviderProfile(name, url, default_model="llama3.2"), **changes)  # type: ignore[arg-type]


# -- the profiles file ---------------------------------------------------------------------------


def test_profiles_round_trip_through_the_file_without_their_keys(profiles_file: Path) -> None:
    profiles = [
        PRESETS["openai"].with_key(KEY),
        _profile("http://gpu-box:8000/v1", models=("a", 'quote"d'), requests_per_minute=20),
    ]
    save_profiles(profiles_file, profiles)
    loaded = load_profiles(profiles_file)
    assert loaded.problems == ()
    assert loaded.profiles == tuple(p.with_key("") for p in profiles)
    assert KEY not in _read(profiles_file)
    assert oct(profiles_file.stat().st_mode & 0o777) == "0o600"


def test_bad_entries_are_reported_and_skipped_and_the_rest_load(profiles_file: Path) -> None:
    profiles_file.parent.mkdir(parents=True)
    profiles_file.write_text(
        """
[[provider]]
name = "good"
base_url = "http://localhost:11434/v1"
colour = "blue"

[[provider]]
name = "no-url"

[[provider]]
name = "bad-type"
base_url = "http://localhost:1/v1"
context_window = "big"

[[provider]]
name = "public-http"
base_url = "http://api.example.com/v1"

[[provider]]
name = "good"
base_url = "http://localhost:2/v1"

[[provider]]
name = "mock"
base_url = "http://localhost:3/v1"
""",
        encoding="utf-8",
    )
    loaded = load_profiles(profiles_file)
    assert [p.name for p in loaded.profiles] == ["good"]
    text = "\n".join(loaded.problems)
    for expected in ("colour", "base_url", "context_window", "https://", "taken", "reserved"):
        assert expected in text
    assert len(loaded.problems) == 6


def test_an_unreadable_profiles_file_is_reported(profiles_file: Path) -> None:
    profiles_file.parent.mkdir(parents=True)
    profiles_file.write_text("[[provider]\nname=", encoding="utf-8")
    loaded = load_profiles(profiles_file)
    assert loaded.profiles == ()
    assert "cannot be read" in loaded.problems[0]


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("[::1]", True),
        ("192.168.1.20", True),
        ("10.0.0.5", True),
        ("100.101.102.103", True),  # Tailscale
        ("gpu-box", True),
        ("studio.local", True),
        ("api.openai.com", False),
        ("8.8.8.8", False),
        ("localhost.example.com", False),
    ],
)
def test_plain_http_is_allowed_only_to_local_hosts(host: str, local: bool) -> None:
    assert is_local_host(host) is local
    url = f"http://{host}:8000/v1"
    if local:
        assert ProviderProfile("p", url).plain_http
    else:
        with pytest.raises(ChatdeskError, match="https://"):
            ProviderProfile("p", url)


@pytest.mark.parametrize("name", ["", "has space", "-dash-first", "x" * 41, "ünïcode"])
def test_profile_names_are_checked(name: str) -> None:
    with pytest.raises(ChatdeskError, match="name"):
        ProviderProfile(name, "https://example.com/v1")


def test_cost_uses_the_cached_price_for_cached_input() -> None:
    profile = PRESETS["openai"]
    usage = UsageReport(prompt_tokens=1_000_000, completion_tokens=500_000, cached_tokens=400_000)
    assert profile.cost(usage) == pytest.approx(0.6 * 0.15 + 0.4 * 0.075 + 0.5 * 0.60)
    assert PRESETS["ollama"].cost(usage) is None


# -- the manager: keys, edits, removal -----------------------------------------------------------


@pytest.mark.asyncio
async def test_a_saved_profile_is_usable_at_once_and_after_a_restart(
    manager: ProviderManager, profiles_file: Path, server: FakeOpenAI
) -> None:
    view = await manager.save(_profile(server.url), key=KEY)
    assert view.key_state is KeyState.KEYRING
    provider = manager_provider(manager, "local")
    assert provider.profile.api_key == KEY
    assert "local" in [v.name for v in manager.views()]

    again = ProviderManager(profiles_file, Providers({}), keys=KeyStore())
    await again.load()
    assert again.view("local").key_state is KeyState.KEYRING
    assert manager_provider(again, "local").profile.api_key == KEY
    await again.aclose()


@pytest.mark.asyncio
async def test_the_key_lives_in_the_keyring_bound_to_its_host(
    manager: ProviderManager, memory_keyring: MemoryKeyring, profiles_file: Path
) -> None:
    await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    stored = json.loads(memory_keyring.passwords[SERVICE, "local"])
    assert stored == {"origin": "http://localhost:11434", "key": KEY}
    assert KEY not in _read(profiles_file)


@pytest.mark.asyncio
async def test_moving_a_profile_to_another_host_asks_for_the_key_again(
    manager: ProviderManager,
) -> None:
    await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    view = await manager.save(_profile("http://192.168.1.9:11434/v1"), editing="local")
    assert view.key_state is KeyState.ORIGIN_CHANGED
    assert "http://localhost:11434" in view.key_note
    assert manager_provider(manager, "local").profile.api_key == ""
    view = await manager.save(
        _profile("http://192.168.1.9:11434/v1"), key=OTHER_KEY, editing="local"
    )
    assert view.key_state is KeyState.KEYRING
    assert manager_provider(manager, "local").profile.api_key == OTHER_KEY


@pytest.mark.asyncio
async def test_renaming_a_profile_takes_its_key_along(
    manager: ProviderManager, memory_keyring: MemoryKeyring
) -> None:
    await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    view = await manager.save(_profile("http://localhost:11434/v1", "home"), editing="local")
    assert view.key_state is KeyState.KEYRING
    assert [v.name for v in manager.views()] == ["home"]
    assert (SERVICE, "local") not in memory_keyring.passwords
    assert manager_provider(manager, "home").profile.api_key == KEY


@pytest.mark.asyncio
async def test_names_must_be_free(manager: ProviderManager) -> None:
    await manager.save(_profile("http://localhost:1/v1", "one"))
    with pytest.raises(InvalidRequest, match="exists"):
        await manager.save(_profile("http://localhost:9/v1", "one"))
    await manager.save(_profile("http://localhost:2/v1", "two"))
    with pytest.raises(InvalidRequest, match="exists"):
        await manager.save(_profile("http://localhost:2/v1", "one"), editing="two")
    with pytest.raises(InvalidRequest, match="offline"):
        await manager.save(_profile("http://localhost:2/v1", "mock"))


@pytest.mark.asyncio
async def test_removing_a_profile_forgets_it_and_its_key(
    manager: ProviderManager, memory_keyring: MemoryKeyring, profiles_file: Path
) -> None:
    providers = manager_providers(manager)
    await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    await manager.remove("local")
    assert manager.views() == []
    assert "local" not in providers
    assert memory_keyring.passwords == {}
    assert load_profiles(profiles_file).profiles == ()


@pytest.mark.asyncio
async def test_an_empty_key_forgets_the_stored_one(
    manager: ProviderManager, memory_keyring: MemoryKeyring
) -> None:
    await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    view = await manager.save(_profile("http://localhost:11434/v1"), key="", editing="local")
    assert view.key_state is KeyState.NONE
    assert memory_keyring.passwords == {}


@pytest.mark.asyncio
async def test_without_a_keyring_nothing_is_written_and_the_session_can_keep_the_key(
    profiles_file: Path, tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    manager = ProviderManager(profiles_file, Providers({}), keys=KeyStore())
    await manager.load()
    assert not manager.keyring_checked  # no profile needed a key: the keyring is not loaded
    assert not await manager.check_keyring()
    assert not manager.keyring_available
    assert "no system keyring" in manager.keyring_reason
    with pytest.raises(NoKeyring, match="this session"):
        await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    view = await manager.save(
        _profile("http://localhost:11434/v1"), key=KEY, keeping=KeyKeeping.SESSION
    )
    assert view.key_state is KeyState.SESSION
    assert manager_provider(manager, "local").profile.api_key == KEY
    await manager.aclose()
    assert not _files_containing(tmp_path, KEY)


@pytest.mark.asyncio
async def test_openai_api_key_sets_up_a_profile_until_one_is_saved(
    profiles_file: Path, memory_keyring: MemoryKeyring
) -> None:
    environ = {"OPENAI_API_KEY": KEY}
    manager = ProviderManager(profiles_file, Providers({}), keys=KeyStore(), environ=environ)
    await manager.load()
    view = manager.view("openai")
    assert view.from_environment
    assert view.key_state is KeyState.ENVIRONMENT
    await manager.save(_profile("http://localhost:1/v1", "other"))
    assert "openai" not in _read(profiles_file)  # untouched: not written to the file
    edited = dataclasses.replace(view.profile, requests_per_minute=10)
    view = await manager.save(edited, editing="openai")
    assert not view.from_environment
    assert view.key_state is KeyState.ENVIRONMENT
    assert "openai" in _read(profiles_file)
    assert KEY not in _read(profiles_file)
    await manager.aclose()


@pytest.mark.asyncio
async def test_an_unusable_openai_base_url_is_reported_not_fatal(profiles_file: Path) -> None:
    environ = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://api.example.com/v1"}
    manager = ProviderManager(profiles_file, Providers({}), keys=KeyStore(), environ=environ)
    problems = await manager.load()
    assert manager.views() == []
    assert "OPENAI_API_KEY" in problems[0]
    assert "https://" in problems[0]
    await manager.aclose()


@pytest.mark.asyncio
async def test_an_edit_reaches_the_provider_and_keeps_its_rate_limiter(
    manager: ProviderManager,
) -> None:
    await manager.save(_profile("http://localhost:11434/v1", requests_per_minute=5))
    before = manager_provider(manager, "local")
    await manager.save(
        _profile("http://localhost:11434/v1", requests_per_minute=9), editing="local"
    )
    after = manager_provider(manager, "local")
    assert after is not before
    assert after.limiter is before.limiter
    assert after.limiter.per_minute == 9


@pytest.mark.asyncio
async def test_changes_are_announced(profiles_file: Path) -> None:
    heard: list[str] = []
    manager = ProviderManager(
        profiles_file, Providers({}), keys=KeyStore(), on_change=lambda: heard.append("x")
    )
    await manager.load()
    await manager.save(_profile("http://localhost:1/v1"))
    await manager.remove("local")
    assert heard == ["x", "x", "x"]
    await manager.aclose()


# -- testing a connection and fetching models ----------------------------------------------------


@pytest.mark.asyncio
async def test_a_connection_test_lists_the_models(
    manager: ProviderManager, server: FakeOpenAI
) -> None:
    result = await manager.test(_profile(server.url), KEY)
    assert result.ok
    assert result.models == ("llama3.2", "qwen2.5")
    assert "2 models" in result.message


@pytest.mark.parametrize(("name", "header"), [("anthropic", "x-api-key"), ("azure", "api-key")])
@pytest.mark.asyncio
async def test_anthropic_and_azure_are_given_the_key_in_the_header_they_read(
    manager: ProviderManager, server: FakeOpenAI, name: str, header: str
) -> None:
    server.key_header = header  # a Bearer key is refused, as these services refuse it
    result = await manager.test(_profile(server.url, name), KEY)
    assert result.ok, result.message
    assert result.models == ("llama3.2", "qwen2.5")
    sent = server.requests[-1].headers
    assert sent[header] == KEY
    assert "authorization" not in sent  # the key goes once
    assert ("anthropic-version" in sent) == (name == "anthropic")


@pytest.mark.asyncio
async def test_other_servers_keep_the_bearer_key(
    manager: ProviderManager, server: FakeOpenAI
) -> None:
    server.key_header = "x-api-key"
    refused = await manager.test(_profile(server.url, "gateway"), KEY)
    assert not refused.ok  # sent as Bearer, which this server does not read
    assert server.requests[-1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.asyncio
async def test_a_connection_test_with_a_wrong_key_says_so(
    manager: ProviderManager, server: FakeOpenAI
) -> None:
    result = await manager.test(_profile(server.url), OTHER_KEY)
    assert not result.ok
    assert "refused the API key" in result.message
    assert OTHER_KEY not in result.message


@pytest.mark.asyncio
async def test_a_connection_test_uses_the_saved_key_only_on_its_host(
    manager: ProviderManager, server: FakeOpenAI
) -> None:
    await manager.save(_profile(server.url), key=KEY)
    assert (await manager.test(_profile(server.url))).ok
    moved = _profile(server.url.replace("127.0.0.1", "localhost"))
    result = await manager.test(moved, editing="local")
    assert not result.ok  # the key was not sent to the new host
    assert server.requests[-1].headers["authorization"] != f"Bearer {KEY}"


@pytest.mark.asyncio
async def test_a_wrong_path_explains_the_base_url(
    manager: ProviderManager, server: FakeOpenAI
) -> None:
    result = await manager.test(_profile(server.url.removesuffix("/v1") + "/api"), KEY)
    assert not result.ok
    assert "/v1" in result.message


@pytest.mark.asyncio
async def test_a_dead_server_fails_the_test_clearly(manager: ProviderManager) -> None:
    result = await manager.test(_profile(f"http://127.0.0.1:{free_port()}/v1"), KEY)
    assert not result.ok
    assert "refused the connection" in result.message


@pytest.mark.asyncio
async def test_fetched_models_join_the_profile(
    manager: ProviderManager, server: FakeOpenAI
) -> None:
    await manager.save(_profile(server.url, models=("typed-by-hand",)), key=KEY)
    assert await manager.fetch_models("local") == ["llama3.2", "qwen2.5"]
    assert manager_provider(manager, "local").models == ("llama3.2", "qwen2.5", "typed-by-hand")


# -- helpers -------------------------------------------------------------------------------------


def manager_providers(manager: ProviderManager) -> Providers:
    return manager._providers


def manager_provider(manager: ProviderManager, name: str) -> OpenAICompatibleProvider:
    provider = manager_providers(manager).get(name)
    assert isinstance(provider, OpenAICompatibleProvider)
    return provider


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _files_containing(root: Path, text: str) -> list[Path]:
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if text.encode() in path.read_bytes():
                found.append(path)
    return found


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("model", "window", "expected"),
    [
        ("gpt-4o-mini", 0, 128_000),  # the model's own, from the table
        ("llama3.2:3b", 0, 131_072),
        ("someones-finetune", 0, 8_192),  # nobody describes it
        ("llama3.2", 16_384, 16_384),  # the server runs it with a smaller window
    ],
)
async def test_a_profile_uses_the_models_own_window_unless_it_sets_one(
    make_service: Any, model: str, window: int, expected: int
) -> None:
    profile = ProviderProfile("local", "http://localhost:11434/v1", context_window=window)
    provider = OpenAICompatibleProvider(profile)
    service = make_service(local=provider)
    thread = await service.create_thread(provider="local", model=model)
    usage = await service.context_usage(thread.id)
    assert usage.breakdown.window == expected
    await provider.aclose()


@pytest.mark.asyncio
async def test_a_profile_that_cannot_be_written_changes_nothing(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way of the config folder", encoding="utf-8")
    manager = ProviderManager(blocked / "providers.toml", Providers({}), keys=KeyStore())
    await manager.load()
    with pytest.raises(ChatdeskError, match="cannot save provider profiles"):
        await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    assert manager.views() == []
    assert memory_keyring.passwords == {}  # the key went back out with the profile
    await manager.aclose()


@pytest.mark.asyncio
async def test_a_failed_edit_that_left_the_key_alone_keeps_it(
    manager: ProviderManager, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    await manager.save(_profile("http://localhost:11434/v1"), key=KEY)
    # Moved: the key (for the old host) stays stored until the user enters one again.
    await manager.save(_profile("http://192.168.1.9:11434/v1"), editing="local")
    stored = dict(memory_keyring.passwords)
    assert stored

    def disk_full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("chatdesk.core.writing.os.replace", disk_full)
    with pytest.raises(ChatdeskError, match="No space left"):
        await manager.save(_profile("http://10.0.0.7:11434/v1"), editing="local")
    assert memory_keyring.passwords == stored
    assert manager.view("local").profile.base_url == "http://192.168.1.9:11434/v1"


def test_whether_a_providers_models_take_images_is_kept_and_checked(tmp_path: Path) -> None:
    from chatdesk.core.providers.vision import takes_images

    path = tmp_path / "providers.toml"
    local = ProviderProfile("local", "http://127.0.0.1:1234/v1", images="yes")
    save_profiles(path, [local, ProviderProfile("other", "http://127.0.0.1:1/v1")])
    loaded = load_profiles(path)
    assert [p.images for p in loaded.profiles] == ["yes", ""]
    assert 'images = "yes"' in path.read_text(encoding="utf-8")
    with pytest.raises(ChatdeskError, match="'yes', 'no' or empty"):
        ProviderProfile("bad", "http://127.0.0.1:1/v1", images="maybe")
    # The table: vision families take images, others and look-alikes do not.
    assert takes_images("gpt-4o-mini")
    assert takes_images("openai/gpt-4.1")
    assert takes_images("llava:13b")
    assert takes_images("qwen2.5vl:7b")
    assert not takes_images("gpt-3.5-turbo")
    assert not takes_images("o3-mini")
    assert not takes_images("llama3.1:8b")
    assert not takes_images("my-model")
    assert takes_images("my-model", "yes")
    assert not takes_images("gpt-4o", "no")
