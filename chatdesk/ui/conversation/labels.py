"""The words around a message: who wrote it (its header) and what it took (its footer's
figures: model, tokens, cost, time)."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from chatdesk.core.chat.kinds import Role
from chatdesk.core.units import format_cost

if TYPE_CHECKING:
    from chatdesk.core.chat.views import MessageView


def usage_text(message: MessageView, *, model: bool = True) -> str:
    """The footer: model (unless the head names it: `model=False`), tokens, time to first
    token and in all."""
    parts = [message.model or ""] if message.role is Role.ASSISTANT and model else []
    usage = message.usage
    if usage.completion_tokens:
        about = "≈" if usage.estimated else ""
        tokens = f"{about}{usage.completion_tokens:,} tokens out, {usage.prompt_tokens or 0:,} in"
        if usage.cached_tokens:
            tokens += f" ({usage.cached_tokens:,} cached)"
        if usage.reasoning_tokens:
            tokens += f", {usage.reasoning_tokens:,} thinking"
        parts.append(tokens)
    if usage.cost_usd is not None:
        parts.append(format_cost(usage.cost_usd))
    if message.latency_ms is not None:
        seconds = f"{message.latency_ms / 1000:.1f} s"
        if message.first_token_ms is not None:
            seconds += f" (first token {message.first_token_ms / 1000:.2f} s)"
        parts.append(seconds)
    parts.append(message.created_at.replace(tzinfo=UTC).astimezone().strftime("%H:%M"))
    return " · ".join(p for p in parts if p)


def header_text(message: MessageView) -> str:
    """Who speaks: the assistant an answer came from ("Tutor"), else its model ("gpt-4o"),
    or in a team thread who wrote it: "bob", "gpt-4o · for bob"."""
    speaker = message.agent or message.model or "Assistant"
    if message.author is None:
        return "You" if message.role is Role.USER else speaker
    return message.author if message.role is Role.USER else f"{speaker} · for {message.author}"
