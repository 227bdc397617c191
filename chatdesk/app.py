"""The composition root: the one place that builds settings → store → providers → service → UI."""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from dataclasses import dataclass

from chatdesk.core.chat.service import ChatService
from chatdesk.core.config import LoadedSettings, Settings, load_settings
from chatdesk.core.logs import setup_logging
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Provider, Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import profile_from_env
from chatdesk.core.store import Store, open_store


@dataclass(frozen=True)
class Configuration:
    paths: Paths
    loaded: LoadedSettings

    @property
    def settings(self) -> Settings:
        return self.loaded.settings


@dataclass
class Core:
    """Everything below the UI, built and torn down together."""

    config: Configuration
    store: Store
    providers: Providers
    service: ChatService

    async def start(self) -> None:
        await self.service.recover_interrupted()

    async def aclose(self) -> None:
        """Stop answers (keeping what arrived), close connections, checkpoint the database."""
        try:
            await self.service.aclose()
            await self.providers.aclose()
        finally:
            self.store.close()


def configure(data_dir: str | os.PathLike[str] | None = None) -> Configuration:
    paths = Paths.resolve(data_dir)
    loaded = load_settings(paths.config_file)
    setup_logging(paths.log_dir, loaded.settings.logging.level)
    return Configuration(paths, loaded)


def build_providers(settings: Settings, environ: Mapping[str, str] | None = None) -> Providers:
    """The mock always (it is the default); "openai" too when OPENAI_API_KEY is set."""
    providers: dict[str, Provider] = {"mock": MockProvider(settings.mock)}
    profile = profile_from_env(os.environ if environ is None else environ)
    if profile is not None:
        providers[profile.name] = OpenAICompatibleProvider(profile)
    return Providers(providers)


def build_core(config: Configuration) -> Core:
    """Open (and if needed migrate) the database and wire the services to it."""
    store = open_store(config.paths, config.settings)
    providers = build_providers(config.settings)
    service = ChatService(store, providers, config.settings)
    # Everything imported and built so far lives until exit; moving it out of the collector's
    # reach keeps full collections (50-70 ms with SQLAlchemy loaded) from stalling the loop.
    gc.freeze()
    return Core(config, store, providers, service)


def run_window(config: Configuration) -> int:
    from chatdesk.ui.application import run

    return run(config, build_core)
