"""What building a page's views the fast way buys (`chatdesk/core/chat/repository/rows.py`).

The same 50 rows of `message_select` (the newest of a thread, as stored) turned into views three
ways, in turns, many times: as the store does (each view's dict filled at once, each id's integer
set directly and converted once per page), by `MessageView`'s own constructor with those ids,
and by the constructor with `uuid.UUID(hex=…)` for every id. Printed beside the page's p50, so
the share of a `list_messages` call it saves shows.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.common import INFO, report
from chatdesk.app import Core
from chatdesk.core.chat.repository.rows import (
    message_fields,
    message_select,
    message_views_of,
    stored_uuid,
)
from chatdesk.core.store.models import Message
from chatdesk.core.views import MessageView

ROUNDS = 2_000
PAGE = 50


def compare(core: Core, thread_id: uuid.UUID, page_p50: float, rounds: int = ROUNDS) -> None:
    rows = core.insides.store.read_now(lambda session: _rows(session, thread_id))
    assert len(rows) == PAGE
    fast: list[float] = []
    known_ids: list[float] = []
    plain: list[float] = []
    for _ in range(rounds):
        fast.append(_timed(lambda: message_views_of(rows)))
        known_ids.append(_timed(lambda: _by_constructor(rows, _cached(stored_uuid))))
        plain.append(_timed(lambda: _by_constructor(rows, _parsed)))
    assert message_views_of(rows) == _by_constructor(rows, _parsed)
    with_trick = statistics.median(fast)
    name = f"{PAGE} views: fast ÷ constructor, UUID()"
    report(name, with_trick, statistics.median(plain), "ms", INFO, bare="without")
    name = f"{PAGE} views: fast ÷ constructor, same ids"
    report(name, with_trick, statistics.median(known_ids), "ms", INFO, bare="without")
    saved = statistics.median(plain) - with_trick
    print(f"      (saves {saved:.3f} ms of the newest page's {page_p50:.3f} ms p50)")


def _rows(session: Any, thread_id: uuid.UUID) -> list[tuple[Any, ...]]:
    query = (
        message_select()
        .where(Message.__table__.c.thread_id == thread_id)
        .order_by(Message.__table__.c.depth.desc())
        .limit(PAGE)
    )
    return [tuple(row) for row in session.execute(query)]


def _by_constructor(
    rows: Sequence[Sequence[Any]], as_uuid: Callable[[str], uuid.UUID]
) -> list[MessageView]:
    return [MessageView(**message_fields(row, as_uuid)) for row in rows]


def _cached(convert: Callable[[str], uuid.UUID]) -> Callable[[str], uuid.UUID]:
    known: dict[str, uuid.UUID] = {}

    def as_uuid(value: str) -> uuid.UUID:
        found = known.get(value)
        if found is None:
            found = known[value] = convert(value)
        return found

    return as_uuid


def _parsed(value: str) -> uuid.UUID:
    return uuid.UUID(hex=value)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000
