"""How the composer's model list names a model: its key, "provider/model", and what it shows
("mock-1"; another provider's after the model: "gpt-4o (openai)"). Apart from `models.py` so
the window's first frame can name the default model before the model choice is made."""

from __future__ import annotations


def model_entry(provider: str, model: str) -> tuple[str, str]:
    """(key, label) of `model` of `provider` in the composer's model list."""
    return f"{provider}/{model}", model if provider == "mock" else f"{model} ({provider})"
