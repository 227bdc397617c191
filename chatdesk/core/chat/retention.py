"""Deleted threads stay restorable for `storage.deleted_retention_days`, then are purged.

Purging removes a thread for good: its messages, their parts, its summaries and draft, the
attachments nothing else uses, and (through the index's triggers) its search entries. Only
personal threads (`team_id IS NULL`): a thread shared with a team is governed by the team
server, and its deletion syncs like any other change. It runs in bounded batches, each its own
transaction on the store's single writer, so a message being sent waits for one batch at most.
Messages go deepest first, so no batch removes a message whose answers are still there.
A batch's statements are `repository/retention.py`'s.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from chatdesk.core.chat.repository.retention import BATCH_MESSAGES, Purged, purge_batch
from chatdesk.core.store import Store

__all__ = ["BATCH_MESSAGES", "Purged", "purge_batch", "purge_expired", "retention_cutoff"]

log = logging.getLogger("chatdesk.chat")


def retention_cutoff(now: datetime, days: int) -> datetime | None:
    """Threads deleted before this moment are purged; None (0 days): deleted ones are kept."""
    return None if days <= 0 else now - timedelta(days=days)


async def purge_expired(store: Store, cutoff: datetime, batch: int = BATCH_MESSAGES) -> Purged:
    """Purge every personal thread deleted before `cutoff`, one bounded batch at a time."""
    total = Purged()
    while True:
        done = await store.write(lambda session: purge_batch(session, cutoff, batch))
        total += done
        if done == Purged():
            break
    if total.threads:
        log.info("purged %d deleted threads (%d messages)", total.threads, total.messages)
    return total
