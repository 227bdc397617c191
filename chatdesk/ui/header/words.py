"""What the header says of the context and the thread's spending: the short figures, the
breakdown of the next request a line per part, and what the thread's answers used and cost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.core.i18n import ntr, number, percent, tr
from chatdesk.core.units import format_cost

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.views import ContextBreakdown, ContextUsage

WARN_AT = 0.80
FULL_AT = 0.95


def gauge_level(fraction: float) -> str:
    """ "ok", "warn" (yellow from 80 %) or "full" (red from 95 %) of the context budget."""
    if fraction >= FULL_AT:
        return "full"
    return "warn" if fraction >= WARN_AT else "ok"


def figures_text(usage: ContextUsage) -> str:
    """ "2.2k of 7.2k tokens in context", "≈" before it when chatdesk estimated the count."""
    used, budget = short_count(usage.used_tokens), short_count(usage.budget_tokens)
    if usage.estimated:
        # translators: the header's context figures, estimated by chatdesk ("≈2.2k of 7.2k …")
        return tr("≈{used} of {budget} tokens in context", used=used, budget=budget)
    # translators: the header's context figures ("2.2k of 7.2k tokens in context")
    return tr("{used} of {budget} tokens in context", used=used, budget=budget)


def short_count(count: int) -> str:
    """ "950", "12.3k", "1.2M": the header has room for a short figure only."""
    if count < 1000:
        return number(count)
    if count < 1_000_000:
        # translators: a count in thousands, short ("12.3k"); keep {n}
        return tr("{n}k", n=number(count / 1000, 1))
    # translators: a count in millions, short ("1.2M"); keep {n}
    return tr("{n}M", n=number(count / 1_000_000, 1))


def usage_lines(usage: ContextUsage) -> list[str]:
    """The gauge's breakdown, a line per part: what the next request would hold."""
    parts = usage.breakdown
    model = f" ({parts.model})" if parts is not None and parts.model else ""
    if usage.estimated:
        first = ntr(
            "Context of the next message{model}: about {used} of {n} token ({percent})",
            "Context of the next message{model}: about {used} of {n} tokens ({percent})",
            usage.budget_tokens,
            model=model,
            used=number(usage.used_tokens),
            percent=percent(usage.fraction),
        )
    else:
        first = ntr(
            "Context of the next message{model}: {used} of {n} token ({percent})",
            "Context of the next message{model}: {used} of {n} tokens ({percent})",
            usage.budget_tokens,
            model=model,
            used=number(usage.used_tokens),
            percent=percent(usage.fraction),
        )
    lines = [first]
    if parts is not None:
        lines += [f"  {line}" for line in _breakdown(parts)]
    if usage.fraction > 1:
        lines.append(tr("Too long for this model: shorten the message or attach less."))
    elif usage.fraction >= FULL_AT:
        lines.append(tr("Nearly full: older messages are left out or summarised."))
    if usage.estimated:
        lines.append(tr("≈ Estimated: not counted with the model's own tokenizer."))
    return lines


def _breakdown(parts: ContextBreakdown) -> list[str]:
    """A line per part of the next request, and what was left out of it."""
    breakdown = [
        tr("System prompt: {tokens}", tokens=number(parts.system)),
        tr("Summary: {tokens}", tokens=number(parts.summary)),
        ntr(
            "Recent messages: {tokens} ({n} message)",
            "Recent messages: {tokens} ({n} messages)",
            parts.messages,
            tokens=number(parts.history),
        ),
        tr("Your draft: {tokens}", tokens=number(parts.draft)),
        *(
            [tr("Kept for passages of knowledge bases: {tokens}", tokens=number(parts.knowledge))]
            if parts.knowledge
            else []
        ),
        *(
            [
                ntr(
                    "Memories: {tokens} ({n} memory)",
                    "Memories: {tokens} ({n} memories)",
                    parts.memories,
                    tokens=number(parts.memory),
                )
            ]
            if parts.memory
            else []
        ),
        tr(
            "Kept for the answer: {tokens} (context window {window})",
            tokens=number(parts.reserve),
            window=number(parts.window),
        ),
    ]
    if parts.omitted:
        breakdown.append(
            ntr(
                "Left out: {n} older message (neither sent nor summarised)",
                "Left out: {n} older messages (neither sent nor summarised)",
                parts.omitted,
            )
        )
    return breakdown


def spent_text(totals: UsageTotals) -> str:
    about = "≈" if totals.estimated else ""
    figure = f"{about}{short_count(totals.total_tokens)}"
    text = ntr("{figure} token", "{figure} tokens", totals.total_tokens, figure=figure)
    if totals.cost_usd is not None:
        text += f" · {'≥ ' if totals.partial_cost else ''}{format_cost(totals.cost_usd)}"
    return text


def spent_detail(totals: UsageTotals) -> str:
    lines = [
        ntr(
            "This thread so far ({n} answer, every branch):",
            "This thread so far ({n} answers, every branch):",
            totals.answers,
        ),
        ntr(
            "{n} token in ({cached} cached)",
            "{n} tokens in ({cached} cached)",
            totals.prompt_tokens,
            cached=number(totals.cached_tokens),
        ),
        ntr(
            "{n} token out ({thinking} thinking)",
            "{n} tokens out ({thinking} thinking)",
            totals.completion_tokens,
            thinking=number(totals.reasoning_tokens),
        ),
    ]
    if totals.cost_usd is not None:
        lines.append(tr("Cost: {cost}", cost=format_cost(totals.cost_usd)))
    if totals.partial_cost:
        lines.append(tr("Some answers had no price; their cost is not included."))
    if totals.estimated:
        lines.append(tr("≈ Some counts were made by chatdesk: the server did not report them."))
    return "\n".join(lines)


def ring_name(usage: ContextUsage) -> str:
    """The context ring's spoken name, how full it is: "Context used: 42%"."""
    # translators: a screen reader's name of the header's context ring, with how full it is
    return tr("Context used: {percent}", percent=percent(usage.fraction))


def ring_details(usage: ContextUsage | None, totals: UsageTotals | None) -> list[str]:
    """The ring's tooltip and description: the next request's breakdown, then what the
    thread's answers used and cost (a line per part, "" between the two)."""
    lines = usage_lines(usage) if usage is not None else []
    if totals is not None and totals.answers:
        lines += ["", *spent_lines(totals)]
    return lines


def spent_lines(totals: UsageTotals) -> list[str]:
    """What the thread's answers used and cost, its parts indented under the first line."""
    first, *parts = spent_detail(totals).splitlines()
    return [first, *(f"  {part}" for part in parts)]
