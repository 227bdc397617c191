"""What the summariser asks a model, and how a summary stands in a thread's context."""

from __future__ import annotations

from collections.abc import Sequence

from chatdesk.core.prompts import MESSAGES_HEADING, PREVIOUS_HEADING, SUMMARY_HEADING
from chatdesk.core.providers.base import ChatMessage

_SPEAKERS = {"user": "User", "assistant": "Assistant", "system": "System", "tool": "Tool"}


def context_message(content: str) -> ChatMessage:
    """The summary as it is sent, after the system prompt and before the messages it precedes."""
    return ChatMessage("system", f"{SUMMARY_HEADING}\n\n{content}")


def summary_request_text(
    previous: str | None, messages: Sequence[tuple[str, str]], max_words: int
) -> str:
    """The user turn of a summary request: the summary so far and the messages, by speaker."""
    parts = []
    if previous:
        parts.append(f"{PREVIOUS_HEADING}\n{previous}")
    lines = [f"{_SPEAKERS.get(role, role.title())}: {text}" for role, text in messages]
    parts.append(MESSAGES_HEADING + "\n\n" + "\n\n".join(lines))
    parts.append(f"Keep the summary under {max_words} words.")
    return "\n\n".join(parts)
