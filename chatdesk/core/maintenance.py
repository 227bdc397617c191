"""Housekeeping while the window is open: the daily backup, the purge of old deleted threads
and the watch of the data folder's free space (store/space_watch.py), started and stopped with
the rest.

Checked shortly after start (not at once: the first seconds belong to the window) and then every
hour, by one asyncio task owned by the core and cancelled when it closes. Each run reads the
settings file again, so "automatic backups" and "keep deleted threads" take effect without a
restart. The backup and its verification run on the backups' own thread, the purge on the
store's writer in bounded batches: the loop never waits on either.

Commands (`chatdesk ask` …) are too short-lived for this; the window does it.

A failure is never only logged: a backup or a purge that fails (a full disk, say), or a bug in a
run, is kept in `Maintenance.problems` (since when, how many runs in a row) and announced as a
`BackgroundProblem` the window shows until a later run succeeds. One job failing does not keep
the other from running, and the loop goes on at its next hour. A failing automatic backup is
also recorded beside the database (store/backup_failure.py) for the Data tab and
`chatdesk db backups`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from chatdesk.core.chat.events import BackgroundProblem
from chatdesk.core.chat.retention import Purged, purge_expired, retention_cutoff
from chatdesk.core.clock import Clock, SystemClock
from chatdesk.core.config import StorageSettings
from chatdesk.core.errors import ChatdeskError, failure_reason
from chatdesk.core.i18n import mark, tr
from chatdesk.core.store import Store
from chatdesk.core.store.backups import Backups
from chatdesk.core.store.rotation import AutomaticBackup, rotation_policy
from chatdesk.core.store.space_watch import SpaceWatch

log = logging.getLogger("chatdesk.store")

T = TypeVar("T")

FIRST_RUN_AFTER = 10.0  # seconds after start
EVERY = 3_600.0  # then hourly; a backup is made when the newest daily one is a day old


# What each job's problem is called, before its reason.
_WHAT = {
    "backups": mark("automatic backups stopped"),
    "retention": mark("old deleted chats are not purged"),
    "attachments": mark("unused attachment files are not removed"),
    "maintenance": mark("backups and clean-up failed"),
}


@dataclass(frozen=True)
class Problem:
    """A job that keeps failing: the latest `detail` (as announced), since when it has been
    failing and how many runs in a row failed."""

    detail: str
    since: datetime
    failures: int


@dataclass(frozen=True)
class MaintenanceRun:
    backup: AutomaticBackup | None  # None: automatic backups are off, or it failed
    purged: Purged


class Maintenance:
    def __init__(
        self,
        store: Store,
        backups: Backups,
        storage: Callable[[], StorageSettings],
        clock: Clock | None = None,
        announce: Callable[[BackgroundProblem], None] | None = None,
        sweep: Callable[[], Awaitable[int]] | None = None,
        space: SpaceWatch | None = None,
    ) -> None:
        """`sweep()` removes the attachments' files nothing uses any more (after the purge,
        which may have freed some); None: there is no blob store to tidy. `space` watches the
        data folder's free space from `start` to `aclose`."""
        self._store = store
        self._space = space
        self._sweep = sweep
        self._backups = backups
        self._storage = storage  # the current settings; may read a file: run off the loop
        self._clock = clock or SystemClock()
        self._announce = announce or (lambda problem: None)
        self._task: asyncio.Task[None] | None = None
        self.problems: dict[str, Problem] = {}  # by job, until a later run of it succeeds

    def start(self, first_after: float = FIRST_RUN_AFTER, every: float = EVERY) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(first_after, every), name="maintenance")
            if self._space is not None:
                self._space.start()

    async def run_once(self) -> MaintenanceRun:
        storage = await asyncio.to_thread(self._storage)
        now = self._clock.now()
        backup = None
        if storage.automatic_backups:  # a failure is also recorded for the Data tab and CLI
            backup = await self._job(
                "backups", now, self._backups.automatic(now, rotation_policy(storage))
            )
        else:
            self._works("backups")  # switched off: nothing is failing
        purged = None
        cutoff = retention_cutoff(now, storage.deleted_retention_days)
        if cutoff is not None:
            purged = await self._job("retention", now, purge_expired(self._store, cutoff))
        else:
            self._works("retention")
        if self._sweep is not None:
            await self._job("attachments", now, self._sweep())
        return MaintenanceRun(backup, Purged() if purged is None else purged)

    async def _loop(self, first_after: float, every: float) -> None:
        await asyncio.sleep(first_after)
        while True:
            try:
                await self.run_once()
            except Exception as error:  # a bug: logged and shown, and the next hour tries again
                log.exception("maintenance run failed")
                self._failed("maintenance", self._clock.now(), failure_reason(error))
            else:
                self._works("maintenance")
            await asyncio.sleep(every)

    async def _job(self, job: str, now: datetime, work: Awaitable[T]) -> T | None:
        """`work`'s result; None when it failed, which is logged and announced, not raised:
        one job failing leaves the others to run."""
        try:
            result = await work
        except ChatdeskError as error:
            log.warning("%s: %s", _WHAT[job], error)
            self._failed(job, now, str(error))
            return None
        except Exception as error:
            log.exception("%s unexpectedly", _WHAT[job])
            self._failed(job, now, failure_reason(error))
            return None
        self._works(job)
        return result

    def _failed(self, job: str, now: datetime, reason: str) -> None:
        detail = tr("{problem}: {reason}", problem=tr(_WHAT[job]), reason=reason)
        previous = self.problems.get(job)
        self.problems[job] = Problem(
            detail,
            previous.since if previous else now,
            previous.failures + 1 if previous else 1,
        )
        if previous is None or previous.detail != detail:
            self._announce(BackgroundProblem(job, detail))

    def _works(self, job: str) -> None:
        if self.problems.pop(job, None) is not None:
            self._announce(BackgroundProblem(job, None))

    async def aclose(self) -> None:
        if self._space is not None:
            await self._space.aclose()
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
