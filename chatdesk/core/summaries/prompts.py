"""What the summariser asks a model, and how a summary stands in a thread's context."""

from __future__ import annotations

from collections.abc import Sequence

from chatdesk.core.providers.base import ChatMessage

# Kept word for word: the offline mock provider recognises the summariser by it.
SUMMARY_INSTRUCTIONS = (
    "You condense conversations so they can go on after the older messages are dropped. "
    "Write a summary of the conversation you are given, for the assistant's own later use. "
    "Keep facts, decisions, names, numbers, code identifiers, the user's preferences and open "
    "questions; drop greetings and repetition. Lines like [Tool call …] record tools the "
    "assistant used: keep which tools were used for what, and what they found that still "
    "matters. Write in the conversation's language, as short "
    "bullet points, with no preamble. If a summary so far is given, return one summary that "
    "covers both it and the new messages."
)
SUMMARY_HEADING = "Summary of the earlier part of this conversation (older messages not shown):"
PREVIOUS_HEADING = "Summary so far:"
MESSAGES_HEADING = "Messages to add:"
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
