"""Which messages the next summary covers.

A thread is summarised once the messages after its summary (its "tail") fill more than the
threshold of the budget, or number more than the context's message limit. The summary then
covers the oldest part of the tail and leaves the newest part verbatim: about half the
threshold's worth of tokens (and half the message limit), never fewer than the last exchange.
Asked for by hand, it leaves only the last exchange. A summary request must itself fit the
summary model: when the part to cover is bigger than that, the oldest messages that fit are
covered now and the rest in the next round (rolling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatdesk.core.chat.counts import Entry

KEEP_AT_LEAST = 2  # the newest question and answer always stay as they are


@dataclass(frozen=True)
class Limits:
    budget: int  # the thread's context budget, in tokens
    threshold: float  # share of the budget that triggers a summary
    max_messages: int  # the context's message limit
    room: int  # tokens of messages one summary request can carry


def is_due(tail: Sequence[Entry], limits: Limits) -> bool:
    tokens = sum(entry.tokens for entry in tail)
    return tokens > limits.threshold * limits.budget or len(tail) > limits.max_messages


def to_cover(tail: Sequence[Entry], limits: Limits, *, manual: bool = False) -> list[Entry]:
    """The oldest messages of `tail` (oldest first, sent messages only) to summarise now."""
    if not manual and not is_due(tail, limits):
        return []
    kept = _kept(tail, limits, manual)
    covered: list[Entry] = []
    size = 0
    for entry in tail[: len(tail) - kept]:
        if not entry.status.is_final or size + entry.tokens > limits.room:
            break
        covered.append(entry)
        size += entry.tokens
    return covered


def _kept(tail: Sequence[Entry], limits: Limits, manual: bool) -> int:
    """How many of the newest messages stay verbatim."""
    if manual:
        return min(KEEP_AT_LEAST, len(tail))
    keep_tokens = limits.threshold * limits.budget / 2
    keep_count = max(KEEP_AT_LEAST, limits.max_messages // 2)
    kept, size = 0, 0
    for entry in reversed(tail):
        small_enough = size + entry.tokens <= keep_tokens and kept < keep_count
        if kept >= KEEP_AT_LEAST and not small_enough:
            break
        kept += 1
        size += entry.tokens
    return kept
