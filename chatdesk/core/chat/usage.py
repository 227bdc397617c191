"""What answers used and cost: per thread, and per provider, model and month.

Tokens and cost are stored on each answer when it completes (cost at the prices its profile
had then, so changing a price later does not rewrite history). Deleted threads still count:
the tokens were spent. The sums are `repository/usage.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UsageTotals:
    answers: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float | None = None  # None: no answer had prices
    estimated: bool = False  # some counts were estimated by chatdesk
    priced_answers: int = 0  # answers with a cost; fewer than `answers`: the cost is partial

    @property
    def partial_cost(self) -> bool:
        """Some answers had a price and some did not: the cost leaves the others out."""
        return 0 < self.priced_answers < self.answers

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class UsageRow:
    month: str  # "2026-11"
    provider: str
    model: str
    totals: UsageTotals
