"""Provider profiles while chatdesk runs: load, edit, remove and test them, keys included.

The profiles file (`providers.toml`) holds everything but the keys; keys come from the system
keyring, from this session's memory, or for the "openai" profile from OPENAI_API_KEY. A key
is only ever handed to the origin it was entered for. Edits take effect at once: the edited
profile gets a new client, and the old one closes after the answers it is still writing.

Keyring and file access block (the keyring may talk D-Bus to a locked wallet), so they run on
a worker thread of their own; the rate limiter of a profile survives its edits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.providers.base import ErrorKind, Provider, ProviderError, Providers
from chatdesk.core.providers.embeddings import can_embed, embedding_models
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profile_file import load_profiles, save_profiles
from chatdesk.core.providers.profiles import RESERVED_NAMES, ProviderProfile, profile_from_env
from chatdesk.core.providers.ratelimit import RateLimiter
from chatdesk.core.secrets import KeyStore, LookupReason, SessionKeys, origin_of

if TYPE_CHECKING:
    from chatdesk.core.providers.discovery import LocalServer

log = logging.getLogger("chatdesk.provider")

T = TypeVar("T")

ENV_KEY = "OPENAI_API_KEY"
TEST_CONNECT_TIMEOUT = 5.0
TEST_READ_TIMEOUT = 15.0


class KeyState(enum.StrEnum):
    KEYRING = "keyring"
    SESSION = "session"
    ENVIRONMENT = "environment"
    NONE = "none"
    ORIGIN_CHANGED = "origin_changed"
    UNREADABLE = "unreadable"


_KEY_NOTES = {
    KeyState.KEYRING: mark("Key saved in the system keyring."),
    KeyState.SESSION: mark("Key kept for this session only; it is forgotten when chatdesk quits."),
    KeyState.ENVIRONMENT: mark("Key from the {variable} environment variable."),
    KeyState.NONE: mark("No key. Servers on this computer or the local network usually need none."),
    KeyState.ORIGIN_CHANGED: mark(
        "The saved key was entered for {origin}; enter it again for this "
        "host (a key is never sent to a host it was not entered for)."
    ),
    KeyState.UNREADABLE: mark("The saved key entry cannot be read; enter the key again."),
}


class KeyKeeping(enum.StrEnum):
    KEYRING = "keyring"  # saved in the system keyring
    SESSION = "session"  # kept in memory until chatdesk quits


@dataclass(frozen=True)
class ProfileView:
    profile: ProviderProfile  # without its key
    key_state: KeyState
    key_note: str
    from_environment: bool  # set up by OPENAI_API_KEY, not (yet) saved in the profiles file

    @property
    def name(self) -> str:
        return self.profile.name


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str
    models: tuple[str, ...] = ()
    elapsed_ms: int = 0


@dataclass
class _Entry:
    profile: ProviderProfile  # with its key
    key_state: KeyState
    stored_origin: str | None = None
    from_environment: bool = False


class ProviderManager:
    def __init__(
        self,
        profiles_file: Path,
        providers: Providers,
        *,
        keys: KeyStore,
        session_keys: SessionKeys | None = None,
        environ: Mapping[str, str] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._file = profiles_file
        self._providers = providers
        self._keys = keys
        self._session = session_keys or SessionKeys()
        self._environ = dict(environ or {})
        self._on_change = on_change or (lambda: None)
        self._entries: dict[str, _Entry] = {}
        self._limiters: dict[str, RateLimiter] = {}
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-profiles")
        self._lock = asyncio.Lock()  # one edit at a time: each rewrites the whole file
        self.problems: tuple[str, ...] = ()
        # Unknown until `check_keyring()`: the keyring package costs ~9 MB and ~70 ms, which a
        # user without profiles never needs to pay.
        self.keyring_checked = False
        self.keyring_available = True
        self.keyring_reason = ""

    def __repr__(self) -> str:
        return f"ProviderManager({len(self._entries)} profiles)"

    # -- reading ---------------------------------------------------------------------------------

    def views(self) -> list[ProfileView]:
        return [_view(entry) for entry in sorted(self._entries.values(), key=_entry_name)]

    def view(self, name: str) -> ProfileView:
        return _view(self._entry(name))

    def serves(self, name: str) -> bool:
        """Whether a provider of that name is configured (the mock's too)."""
        return name in self._providers

    def embedding_models(self) -> list[tuple[str, str]]:
        """(provider, model) for each embedding model the configured providers list."""
        providers = self._providers
        return [(n, m) for n in providers.names() for m in embedding_models(providers.get(n))]

    def embedder(self, model: str) -> tuple[Provider, str] | None:
        """The provider that makes embeddings with `model` ("provider/model", or a name one
        of them lists among its embedding models) and the model's name there; None: none."""
        providers = self._providers
        name, slash, bare = model.partition("/")
        if slash and name in providers and bare and can_embed(providers.get(name)):
            offered = embedding_models(providers.get(name))  # (): the server cannot tell
            if not offered or bare in offered:
                return providers.get(name), bare
        for name in providers.names():
            if model in embedding_models(providers.get(name)):
                return providers.get(name), model
        return None

    async def load(self) -> tuple[str, ...]:
        """Read the profiles file and every key; problems are reported, never raised."""
        loaded = await self._off(load_profiles, self._file)
        problems = list(loaded.problems)
        profiles = list(loaded.profiles)
        from_env = self._env_profile(problems)
        if from_env is not None and from_env.name not in {p.name for p in profiles}:
            profiles.append(from_env)
        if profiles:
            await self.check_keyring()
        for profile in profiles:
            entry = await self._off(self._resolved, profile)
            entry.from_environment = profile is from_env
            await self._install(entry)
        self.problems = tuple(problems)
        for problem in problems:
            log.warning("%s", problem)
        self._on_change()
        return self.problems

    async def check_keyring(self) -> bool:
        """Find out (once) whether a system keyring can hold keys; sets `keyring_available`
        and `keyring_reason`."""
        if not self.keyring_checked:
            self.keyring_available = await self._off(lambda: self._keys.available)
            self.keyring_reason = "" if self.keyring_available else self._keys.reason
            self.keyring_checked = True
        return self.keyring_available

    def _env_profile(self, problems: list[str]) -> ProviderProfile | None:
        try:
            return profile_from_env(self._environ)
        except ChatdeskError as error:
            problems.append(
                tr("{variable} is set but cannot be used: {error}", variable=ENV_KEY, error=error)
            )
            return None

    # -- editing ---------------------------------------------------------------------------------

    async def save(
        self,
        profile: ProviderProfile,
        *,
        key: str | None = None,
        keeping: KeyKeeping = KeyKeeping.KEYRING,
        editing: str | None = None,
    ) -> ProfileView:
        """Add a profile, or change the one named `editing` (it may be renamed). `key` None
        keeps the key it has (while its host is unchanged), "" forgets it. Raises
        `NoKeyring` when the key cannot be saved in a keyring (offer `KeyKeeping.SESSION`)."""
        profile = profile.with_key("")
        async with self._lock:
            old = self._entries.get(editing or profile.name)
            self._check_name(profile.name, editing)
            await self._off(self._store_key, profile, old, key, keeping)
            remaining = [e.profile for e in self._entries.values() if e is not old]
            try:
                await self._off(self._write_file, [*remaining, profile], old)
            except ChatdeskError:
                renamed = old is not None and old.profile.name != profile.name
                if key is not None or renamed:  # the keys were touched: undo that
                    await self._off(self._put_key_back, profile, old)
                raise
            entry = await self._off(self._resolved, profile)
            if old is not None and old.profile.name != profile.name:
                await self._retire(old.profile.name)
            await self._install(entry)
        self._on_change()
        return _view(entry)

    async def remove(self, name: str) -> None:
        """Remove the profile and forget its key everywhere."""
        async with self._lock:
            entry = self._entry(name)
            remaining = [e.profile for e in self._entries.values() if e is not entry]
            await self._off(self._write_file, remaining, entry)
            await self._off(self._forget_key, name)
            await self._retire(name)
        self._on_change()

    def _check_name(self, name: str, editing: str | None) -> None:
        if name in RESERVED_NAMES:
            raise InvalidRequest(
                tr("{name} is the built-in offline provider; pick another name.", name=repr(name))
            )
        if name != editing and name in self._entries:
            raise InvalidRequest(tr("A provider named {name} exists already.", name=repr(name)))

    def _store_key(
        self,
        profile: ProviderProfile,
        old: _Entry | None,
        key: str | None,
        keeping: KeyKeeping,
    ) -> None:
        if key is None:
            self._move_key(profile, old)
            return
        key = key.strip()
        if not key:
            self._forget_key(profile.name)
        elif keeping is KeyKeeping.SESSION:
            self._session.set(profile.name, profile.base_url, key)
            self._keys.delete(profile.name)
        else:
            self._keys.set(profile.name, profile.base_url, key)
            self._session.delete(profile.name)
        if old is not None and old.profile.name != profile.name:
            self._forget_key(old.profile.name)

    def _move_key(self, profile: ProviderProfile, old: _Entry | None) -> None:
        """A renamed profile takes its key along, unless its host changed too."""
        if old is None or old.profile.name == profile.name:
            return
        key = old.profile.api_key
        same_host = origin_of(old.profile.base_url) == origin_of(profile.base_url)
        if key and same_host and old.key_state is KeyState.KEYRING:
            self._keys.set(profile.name, profile.base_url, key)
        elif key and same_host and old.key_state is KeyState.SESSION:
            self._session.set(profile.name, profile.base_url, key)
        self._forget_key(old.profile.name)

    def _put_key_back(self, profile: ProviderProfile, old: _Entry | None) -> None:
        """The profile could not be saved: the keys are as they were before."""
        self._forget_key(profile.name)
        if old is None or not old.profile.api_key:
            return
        store = self._session if old.key_state is KeyState.SESSION else self._keys
        if old.key_state in (KeyState.SESSION, KeyState.KEYRING):
            store.set(old.profile.name, old.profile.base_url, old.profile.api_key)

    def _forget_key(self, name: str) -> None:
        self._session.delete(name)
        self._keys.delete(name)

    def _write_file(self, profiles: Sequence[ProviderProfile], edited: _Entry | None) -> None:
        # A profile that only came from the environment is written once the user edits it.
        untouched_env = {e.profile.name for e in self._entries.values() if e.from_environment}
        if edited is not None:
            untouched_env.discard(edited.profile.name)
        save_profiles(self._file, [p for p in profiles if p.name not in untouched_env])

    # -- the servers themselves ------------------------------------------------------------------

    async def test(
        self, profile: ProviderProfile, key: str | None = None, *, editing: str | None = None
    ) -> ConnectionTest:
        """Ask the server for its models with `key` (None: the key the profile has now)."""
        if key is None:
            key = self._current_key(profile, editing)
        provider = OpenAICompatibleProvider(
            profile.with_key(key.strip()),
            limiter=RateLimiter(),  # a test is one request the user asked for just now
            connect_timeout=TEST_CONNECT_TIMEOUT,
            first_byte_timeout=TEST_READ_TIMEOUT,
        )
        started = time.perf_counter()
        try:
            models = await provider.list_models()
        except ProviderError as error:
            return ConnectionTest(False, _test_failure(error, profile), elapsed_ms=_since(started))
        finally:
            await provider.aclose()
        elapsed = _since(started)
        if not models:
            return ConnectionTest(
                True,
                tr("Connected to {host}, but it lists no models.", host=profile.host),
                (),
                elapsed,
            )
        said = ntr(
            "Connected to {host}: {n} model.",
            "Connected to {host}: {n} models.",
            len(models),
            host=profile.host,
        )
        return ConnectionTest(True, said, tuple(models), elapsed)

    async def local_servers(self) -> list[LocalServer]:
        """The model servers running on this computer now (Ollama, LM Studio … on their usual
        ports), for the Connect a model page."""
        from chatdesk.core.providers.discovery import find_local_servers

        return await find_local_servers()

    async def fetch_models(self, name: str) -> list[str]:
        """Ask the profile's server for its models; they then appear in the model pickers."""
        provider = self._providers.get(self._entry(name).profile.name)
        if not isinstance(provider, OpenAICompatibleProvider):
            raise NotFound(tr("{name} is not a configured server.", name=repr(name)))
        models = await provider.list_models()
        self._on_change()
        return models

    def _current_key(self, profile: ProviderProfile, editing: str | None) -> str:
        entry = self._entries.get(editing or profile.name)
        if entry is None or not entry.profile.api_key:
            return ""
        if origin_of(entry.profile.base_url) != origin_of(profile.base_url):
            return ""  # never try a key on a host it was not entered for
        return entry.profile.api_key

    async def aclose(self) -> None:
        self._worker.shutdown(wait=True)

    # -- internals -------------------------------------------------------------------------------

    def _resolved(self, profile: ProviderProfile) -> _Entry:
        """The profile with the key that applies to it, and where that key came from."""
        lookup = self._session.lookup(profile.name, profile.base_url)
        state = KeyState.SESSION
        if lookup.reason is LookupReason.MISSING:
            lookup = self._keys.lookup(profile.name, profile.base_url)
            state = KeyState.KEYRING
        if lookup.found and lookup.key:
            return _Entry(profile.with_key(lookup.key), state)
        env_key = self._env_key(profile)
        if env_key:
            return _Entry(profile.with_key(env_key), KeyState.ENVIRONMENT)
        if lookup.reason is LookupReason.ORIGIN_CHANGED:
            return _Entry(profile, KeyState.ORIGIN_CHANGED, lookup.stored_origin)
        if lookup.reason is LookupReason.UNREADABLE:
            return _Entry(profile, KeyState.UNREADABLE)
        return _Entry(profile, KeyState.NONE)

    def _env_key(self, profile: ProviderProfile) -> str:
        """OPENAI_API_KEY applies to the "openai" profile while it points where the
        environment says (OPENAI_BASE_URL, or OpenAI itself)."""
        env_profile = self._env_profile([])
        if env_profile is None or profile.name != env_profile.name:
            return ""
        if origin_of(profile.base_url) != origin_of(env_profile.base_url):
            return ""
        return env_profile.api_key

    async def _install(self, entry: _Entry) -> None:
        name = entry.profile.name
        limiter = self._limiters.setdefault(name, RateLimiter())
        limiter.per_minute = entry.profile.requests_per_minute
        self._entries[name] = entry
        previous = self._providers.put(OpenAICompatibleProvider(entry.profile, limiter=limiter))
        if isinstance(previous, OpenAICompatibleProvider):
            await previous.retire()

    async def _retire(self, name: str) -> None:
        self._entries.pop(name, None)
        self._limiters.pop(name, None)
        provider = self._providers.pop(name)
        if isinstance(provider, OpenAICompatibleProvider):
            await provider.retire()

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise NotFound(tr("No provider profile named {name}.", name=repr(name))) from None

    async def _off(self, work: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, functools.partial(work, *args))


def _view(entry: _Entry) -> ProfileView:
    origin = entry.stored_origin or tr("another host")
    note = tr(_KEY_NOTES[entry.key_state], origin=origin, variable=ENV_KEY)
    profile = dataclasses.replace(entry.profile, api_key="")
    return ProfileView(profile, entry.key_state, note, entry.from_environment)


def _entry_name(entry: _Entry) -> str:
    return entry.profile.name.lower()


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _test_failure(error: ProviderError, profile: ProviderProfile) -> str:
    if error.kind is ErrorKind.NOT_FOUND:
        return tr(
            "{host} answered, but has no model list at {base_url}/models. "
            "Check that the base URL ends in the API's path (usually /v1); if it does, type "
            "the model's name by hand.",
            host=profile.host,
            base_url=profile.base_url,
        )
    return str(error)
