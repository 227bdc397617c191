"""What answers used and cost: per thread, and per provider, model and month.

Tokens and cost are stored on each answer when it completes (cost at the prices its profile
had then, so changing a price later does not rewrite history). Deleted threads still count:
the tokens were spent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chatdesk.core.store.models import Message, Role

M = Message.__table__.c


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


def _totals_columns() -> tuple[Any, ...]:
    return (
        func.count(M.id),
        func.coalesce(func.sum(M.prompt_tokens), 0),
        func.coalesce(func.sum(M.completion_tokens), 0),
        func.coalesce(func.sum(M.cached_tokens), 0),
        func.coalesce(func.sum(M.reasoning_tokens), 0),
        func.sum(M.cost_usd),  # NULL when no answer in the group had a cost
        func.coalesce(func.max(M.usage_estimated), False),
        func.count(M.cost_usd),
    )


def _answers() -> Select[Any]:
    return select(*_totals_columns()).where(M.role == Role.ASSISTANT, M.prompt_tokens.is_not(None))


def _totals(row: Any) -> UsageTotals:
    answers, prompt, completion, cached, reasoning, cost, estimated, priced = row
    return UsageTotals(
        answers, prompt, completion, cached, reasoning, cost, bool(estimated), priced
    )


def thread_totals(session: Session, thread_id: uuid.UUID) -> UsageTotals:
    """Every answer in the thread, on every branch: all of them were paid for."""
    return _totals(session.execute(_answers().where(M.thread_id == thread_id)).one())


def by_month(session: Session, month: str | None = None) -> list[UsageRow]:
    """Usage per month, provider and model, newest month first; `month` ("2026-11") for one."""
    month_of = func.strftime("%Y-%m", M.completed_at)
    query = (
        select(month_of, M.provider, M.model, *_totals_columns())
        .where(M.role == Role.ASSISTANT, M.prompt_tokens.is_not(None))
        .group_by(month_of, M.provider, M.model)
        .order_by(month_of.desc(), M.provider, M.model)
    )
    if month is not None:
        query = query.where(month_of == month)
    return [
        UsageRow(row[0] or "unknown", row[1] or "?", row[2] or "?", _totals(row[3:]))
        for row in session.execute(query)
    ]
