"""The words around a message: who wrote it (its header) and what it took (its footer's
figures: model, tokens, cost, time)."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from chatdesk.core.assistants.builtin import said
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import Role
from chatdesk.core.units import format_cost

if TYPE_CHECKING:
    from chatdesk.core.views import MessageView


def usage_text(message: MessageView, *, model: bool = True) -> str:
    """The footer: model (unless the head names it: `model=False`), tokens, time to first
    token and in all."""
    parts = [message.model or ""] if message.role is Role.ASSISTANT and model else []
    usage = message.usage
    if usage.completion_tokens:
        # translators: {about} is "≈" when the counts are estimated, else nothing
        tokens = ntr(
            "{about}{out} tokens out, {into} in",
            "{about}{out} tokens out, {into} in",
            usage.completion_tokens,
            about="≈" if usage.estimated else "",
            out=number(usage.completion_tokens),
            into=number(usage.prompt_tokens or 0),
        )
        if usage.cached_tokens:
            count = number(usage.cached_tokens)
            # translators: {tokens} is "1,200 tokens out, 80 in"; these of the input were cached
            tokens = ntr(
                "{tokens} ({count} cached)",
                "{tokens} ({count} cached)",
                usage.cached_tokens,
                tokens=tokens,
                count=count,
            )
        if usage.reasoning_tokens:
            count = number(usage.reasoning_tokens)
            # translators: {tokens} is "1,200 tokens out, 80 in"; these of the output were thinking
            tokens = ntr(
                "{tokens}, {count} thinking",
                "{tokens}, {count} thinking",
                usage.reasoning_tokens,
                tokens=tokens,
                count=count,
            )
        parts.append(tokens)
    if usage.cost_usd is not None:
        parts.append(format_cost(usage.cost_usd))
    if message.latency_ms is not None:
        # translators: a duration in seconds, "0.4 s"
        seconds = tr("{seconds} s", seconds=number(message.latency_ms / 1000, 1))
        if message.first_token_ms is not None:
            first = number(message.first_token_ms / 1000, 2)
            # translators: {total} is how long the answer took ("3.1 s"); {first} is in seconds
            seconds = tr("{total} (first token {first} s)", total=seconds, first=first)
        parts.append(seconds)
    parts.append(message.created_at.replace(tzinfo=UTC).astimezone().strftime("%H:%M"))
    return " · ".join(p for p in parts if p)


def header_text(message: MessageView) -> str:
    """Who speaks: the assistant an answer came from ("Tutor"), else its model ("gpt-4o"),
    or in a team thread who wrote it: "bob", "gpt-4o · for bob"."""
    speaker = said(message.agent) if message.agent else message.model or tr("Assistant")
    if message.author is None:
        return tr("You") if message.role is Role.USER else speaker
    if message.role is Role.USER:
        return message.author
    # translators: an answer's head in a team thread: who answered, for whom ("gpt-4o · for bob")
    return tr("{speaker} · for {author}", speaker=speaker, author=message.author)
