"""What one-off completions cost is written together when they end together
(`chatdesk/core/chat/spending.py`): every row kept, in fewer transactions than rows, each
caller waiting until its own row is on disk. A real store (SQLite in the test's home)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.spending import SpendingRows
from chatdesk.core.store import Store
from chatdesk.core.store.models import ApiSpending

pytestmark = pytest.mark.asyncio


def _row(tokens: int) -> ApiSpending:
    return ApiSpending(
        provider="mock",
        model="mock-1",
        prompt_tokens=10,
        completion_tokens=tokens,
        cost_usd=0.0,
        created_at=datetime.now(UTC),
    )


def _kept(store: Store) -> list[int]:
    def read(session: Session) -> list[int]:
        return sorted(t or 0 for t in session.scalars(select(ApiSpending.completion_tokens)))

    return store.read_now(read)


async def test_rows_that_come_together_are_written_together(store: Store) -> None:
    transactions = 0
    write = store.write

    async def counted(work: Any) -> Any:
        nonlocal transactions
        transactions += 1
        return await write(work)

    store.write = counted  # type: ignore[method-assign]
    rows = SpendingRows(store)

    await asyncio.gather(*(rows.add(_row(n)) for n in range(30)))

    assert _kept(store) == list(range(30))
    assert transactions < 30


async def test_a_row_is_on_disk_when_its_caller_goes_on(store: Store) -> None:
    rows = SpendingRows(store)
    await rows.add(_row(1))
    assert _kept(store) == [1]
    first = asyncio.ensure_future(rows.add(_row(2)))
    await rows.add(_row(3))  # written with the second, or after it
    await first

    def count(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(ApiSpending)) or 0

    assert store.read_now(count) == 3


async def test_a_failed_write_is_said_to_each_of_its_callers(store: Store) -> None:
    rows = SpendingRows(store)
    store.close()
    results = await asyncio.gather(rows.add(_row(1)), rows.add(_row(2)), return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results)
