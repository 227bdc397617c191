"""The models the OpenAI-compatible endpoints offer, and what a client's `model` names: a
configured provider's model as `provider/model`, an assistant as `assistant/<name>`, or a bare
model name that one configured provider offers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chatdesk.api.openai_schemas import ModelList, ModelOut
from chatdesk.api.surface import ApiCore
from chatdesk.core.errors import NotFound
from chatdesk.core.providers.base import Provider

ASSISTANT = "assistant/"


class ModelNotFound(Exception):
    """The `model` a client named is none chatdesk has: a 404 with code `model_not_found`."""


@dataclass(frozen=True)
class Target:
    """Who answers: `provider`'s `model`, or an assistant (its own model, tools, knowledge)."""

    provider: str
    model: str
    assistant: uuid.UUID | None = None


async def model_list(core: ApiCore) -> ModelList:
    service = core.service
    found = [ModelOut(id=f"{p}/{m}", owned_by=p) for p, m in dict.fromkeys(service.known_models())]
    found += [ModelOut(id=f"{p}/{m}", owned_by=p) for p, m in core.profiles.embedding_models()]
    # Named as kept, not as shown: a built-in's id stays the same when the window's language
    # changes (`target_of` finds it by either name).
    assistants = await service.assistants.list(as_stored=True)
    found += [ModelOut(id=f"{ASSISTANT}{a.name}", owned_by="chatdesk") for a in assistants]
    return ModelList(data=found)


async def target_of(core: ApiCore, model: str) -> Target:
    """What `model` names; ModelNotFound when nothing here answers to it."""
    if model.startswith(ASSISTANT):
        name = model.removeprefix(ASSISTANT)
        try:
            assistant = await core.service.assistants.find(name)
        except NotFound as error:
            raise ModelNotFound(f"The model {model!r} does not exist here: {error}.") from None
        return Target("", model, assistant.id)
    provider, slash, name = model.partition("/")
    if slash and core.profiles.serves(provider) and name:
        return Target(provider, name)
    offering = [p for p, m in core.service.known_models() if m == model]
    if offering:
        return Target(offering[0], model)
    raise ModelNotFound(
        f"The model {model!r} does not exist here. GET /v1/models lists them, as "
        '"provider/model" or "assistant/<name>".'
    )


def embedding_target(core: ApiCore, model: str) -> tuple[Provider, str]:
    """The provider that makes embeddings with `model` ("provider/model", or a name one of the
    providers lists among its embedding models)."""
    found = core.profiles.embedder(model)
    if found is not None:
        return found
    raise ModelNotFound(
        f'No configured provider makes embeddings with {model!r} (offline: "mock/mock-embed").'
    )
