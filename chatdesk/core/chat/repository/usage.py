"""Sums of what answers used and cost (`chatdesk/core/chat/usage.py` says what they mean)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.store.models import Message, Role, Thread

M = Message.__table__.c


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


def thread_usage(session: Session, thread_id: uuid.UUID) -> UsageTotals:
    """Every answer in the thread, on every branch: all of them were paid for."""
    return _totals(session.execute(_answers().where(M.thread_id == thread_id)).one())


def usage_by_month(session: Session, month: str | None = None) -> list[UsageRow]:
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


def recent_models(session: Session, limit: int) -> list[tuple[str, str]]:
    """The (provider, model)s of the latest answers, newest first, each once; answers in a
    chat in the trash do not count (the picker would offer a model the user threw away)."""
    last = func.max(M.created_at)
    query = (
        select(M.provider, M.model)
        .join(Thread, Thread.id == M.thread_id)
        .where(M.role == Role.ASSISTANT, M.provider.is_not(None), M.model.is_not(None))
        .where(Thread.deleted_at.is_(None))
        .group_by(M.provider, M.model)
        .order_by(last.desc())
        .limit(limit)
    )
    return [(str(provider), str(model)) for provider, model in session.execute(query)]
