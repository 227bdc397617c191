"""The models a picker offers (`known`), what chatdesk knows of each (`facts`) and which were
used last (`recent`). Only what chatdesk can tell is said: whether a model takes images (its
profile's "images", else the table of vision families in `chatdesk/core/providers/vision.py`)
and its context window (its profile's, the provider's, the table of known models in
`chatdesk/core/tokens/`, or the default). Nothing here knows whether a model calls tools or
reasons, so nothing says it does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.budget import context_window_of
from chatdesk.core.config import Settings
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.vision import model_takes_images
from chatdesk.core.store.store import Store

RECENT = 3  # the models a picker lists first


@dataclass(frozen=True)
class ModelFacts:
    images: bool  # it takes images
    context_window: int  # tokens


class ModelCatalog:
    def __init__(
        self, store: Store, providers: Providers, settings: Callable[[], Settings]
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings

    def known(self) -> list[tuple[str, str]]:
        """(provider, model) pairs to offer in a model picker, the default first."""
        general = self._settings().general
        found = [(general.default_provider, general.default_model)]
        for name in self._providers.names():
            models = getattr(self._providers.get(name), "models", ())
            found.extend((name, model) for model in models if (name, model) not in found)
        return found

    def facts(self, provider: str, model: str) -> ModelFacts:
        """What chatdesk knows of `model` on `provider`."""
        return ModelFacts(
            model_takes_images(self._providers, provider, model),
            context_window_of(self._providers, provider, model),
        )

    async def recent(self, limit: int = RECENT) -> list[tuple[str, str]]:
        """The (provider, model)s that wrote the latest answers, newest first, each once."""
        return await self._store.read(lambda s: repo.recent_models(s, limit))
