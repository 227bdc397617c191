"""Titles a model gives a new thread after its first answer: the request and the clean-up.

The title is asked for in the background; it replaces the provisional title (the first words of
the first message) only if that is still the title when the answer comes back, so a rename by
the user, before or meanwhile, always wins. A first message that fits in a title whole (one
line, at most 60 characters) stays the title, in the user's own words, and no request is spent:
only a title that had to be cut, or an attachment's name, is worth a model's attention.
"""

from __future__ import annotations

import re

from chatdesk.core.prompts import TITLE_INSTRUCTIONS
from chatdesk.core.providers.base import ChatMessage, ChatRequest

MAX_TITLE_CHARS = 60
_QUESTION_CHARS, _ANSWER_CHARS = 2_000, 1_000  # enough to name it, cheap to send
_LABEL = re.compile(r"^\s*(?:title|titel|titre|título)\s*:\s*", re.IGNORECASE)
_WRAPPING = "\"'“”‘’«»`*_#"


def wants_title(first_message: str) -> bool:
    """Whether a model should name a thread that starts with `first_message` (its typed text;
    empty when it was only an attachment, which gave the thread the attachment's name)."""
    text = " ".join(first_message.split())
    whole = "\n" not in first_message.strip() and len(text) <= MAX_TITLE_CHARS
    return not (text and whole)


def title_request(model: str, question: str, answer: str) -> ChatRequest:
    conversation = f"User: {question[:_QUESTION_CHARS]}\n\nAssistant: {answer[:_ANSWER_CHARS]}"
    return ChatRequest(
        model=model,
        messages=(ChatMessage("system", TITLE_INSTRUCTIONS), ChatMessage("user", conversation)),
        max_output_tokens=30,
    )


def clean_title(text: str) -> str:
    """The title out of what a model said: its first line, without a "Title:" label, quotes,
    markdown marks or a final full stop; "" when nothing is left."""
    line = next((part for part in text.splitlines() if part.strip()), "")
    line = _LABEL.sub("", line).strip().strip(_WRAPPING).strip()
    line = " ".join(line.split()).rstrip(".。,;:!").strip(_WRAPPING).strip()
    if len(line) > MAX_TITLE_CHARS:
        line = line[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return line
