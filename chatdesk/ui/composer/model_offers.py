"""What a model picker offers: each model's key, "provider/model", and what it shows ("mock-1";
another provider's after the model: "gpt-4o (openai)"), with what is known of it ("images ·
128.0k tokens"). The composer's model choice (`chatdesk/ui/window/models.py`) and the quick
window's picker (`chatdesk/ui/quick/pickers.py`) fill their menus from here. `model_entry`
is light: the window's first frame names the default model with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService


def model_entry(provider: str, model: str) -> tuple[str, str]:
    """(key, label) of `model` of `provider` in a model list."""
    return f"{provider}/{model}", model if provider == "mock" else f"{model} ({provider})"


def model_marks(service: ChatService, provider: str, model: str) -> str:
    """What the picker says of a model: whether it takes images, and its context window (all
    the core knows of it: see `chatdesk/core/chat/catalog.py`)."""
    from chatdesk.ui.header import short_count

    facts = service.models.facts(provider, model)
    # translators: a model's context window in the model picker ("128.0k tokens")
    window = tr("{size} tokens", size=short_count(facts.context_window))
    # translators: marks a model that takes images, in the model picker
    return tr("images · {window}", window=window) if facts.images else window


def model_offers(
    service: ChatService | None, current: tuple[str, str]
) -> tuple[list[tuple[str, str]], dict[str, str], list[tuple[str, str]]]:
    """Every known model and `current` (provider, model) even when unknown: their `(key,
    label)` entries, what is known of each by key, and the (provider, model) pairs."""
    models = service.known_models() if service is not None else []
    if current not in models:
        models.append(current)
    entries = [model_entry(p, m) for p, m in models]
    marks = (
        {key: model_marks(service, *pair) for (key, _), pair in zip(entries, models, strict=True)}
        if service is not None
        else {}
    )
    return entries, marks, models
