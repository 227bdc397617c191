"""Sums of what answers used and cost (`chatdesk/core/chat/usage.py` says what they mean)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.store.models import ApiSpending, Message, Role, Thread

M = Message.__table__.c
A = ApiSpending.__table__.c
RECENT_LOOKBACK = 2_000  # answers, the newest stored, among which the recent models are found


def _totals_columns() -> tuple[Any, ...]:
    """Every one of them in the messages' usage index (models.py): a thread's totals are read
    from it alone (`count()` rather than the ids, which it does not hold)."""
    return (
        func.count(),
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
    rows = {
        (row[0] or "unknown", row[1] or "?", row[2] or "?"): _totals(row[3:])
        for row in session.execute(query)
    }
    for key, totals in _through_api(session, month).items():
        rows[key] = _added(rows[key], totals) if key in rows else totals
    ordered = sorted(rows, key=lambda k: (k[1], k[2]))
    ordered.sort(key=lambda k: k[0], reverse=True)
    return [UsageRow(*key, rows[key]) for key in ordered]


def _through_api(session: Session, month: str | None) -> dict[tuple[str, str, str], UsageTotals]:
    """The local API's answers kept in no chat (`api_spending`), as answers' totals."""
    month_of = func.strftime("%Y-%m", A.created_at)
    query = select(
        month_of,
        A.provider,
        A.model,
        func.count(A.id),
        func.coalesce(func.sum(A.prompt_tokens), 0),
        func.coalesce(func.sum(A.completion_tokens), 0),
        func.sum(A.cost_usd),
        func.count(A.cost_usd),
    ).group_by(month_of, A.provider, A.model)
    if month is not None:
        query = query.where(month_of == month)
    return {
        (m or "unknown", p, model): UsageTotals(n, prompt, completion, 0, 0, cost, False, priced)
        for m, p, model, n, prompt, completion, cost, priced in session.execute(query)
    }


def _added(a: UsageTotals, b: UsageTotals) -> UsageTotals:
    cost = (
        None if a.cost_usd is None and b.cost_usd is None else (a.cost_usd or 0) + (b.cost_usd or 0)
    )
    return UsageTotals(
        a.answers + b.answers,
        a.prompt_tokens + b.prompt_tokens,
        a.completion_tokens + b.completion_tokens,
        a.cached_tokens + b.cached_tokens,
        a.reasoning_tokens + b.reasoning_tokens,
        cost,
        a.estimated or b.estimated,
        a.priced_answers + b.priced_answers,
    )


def recent_models(session: Session, limit: int) -> list[tuple[str, str]]:
    """The (provider, model)s of the latest answers, newest first, each once; answers in a
    chat in the trash do not count (the picker would offer a model the user threw away).

    Of the newest `RECENT_LOOKBACK` answers stored only: the messages are walked back from the
    last row stored, so the read costs the same for a thousand messages or a million (the
    window asks each time a chat opens), where grouping every answer cost a scan of the table
    (140 ms at 110,000 messages). A model not among them is not recent."""
    trashed = select(Thread.id).where(Thread.deleted_at.is_not(None))
    newest = (
        select(M.provider, M.model, M.created_at)
        .where(M.role == Role.ASSISTANT, M.provider.is_not(None), M.model.is_not(None))
        .where(M.thread_id.not_in(trashed))
        .order_by(literal_column("messages.rowid").desc())
        .limit(RECENT_LOOKBACK)
        .subquery()
    )
    query = (
        select(newest.c.provider, newest.c.model)
        .group_by(newest.c.provider, newest.c.model)
        .order_by(func.max(newest.c.created_at).desc())
        .limit(limit)
    )
    return [(str(provider), str(model)) for provider, model in session.execute(query)]
