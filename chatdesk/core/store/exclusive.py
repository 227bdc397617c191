"""Having the database to oneself: for a restore, a recovery, or setting damaged files aside.

Two locks make that safe without a window in which two processes both think they are alone:
- every process that opens the database holds its instance lock (instances.py) from before it
  looks at the file until it has closed it;
- whoever changes which file is the database (and every start, while it checks and opens the
  file) holds `run/maintenance.busy` exclusively, and only then looks at the instance locks.
A start that waits on the maintenance lock already holds its instance lock, so a restore that
gets the maintenance lock first finishes before the start looks at the file, and one that gets
it later sees the start's instance lock and refuses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from chatdesk.core.errors import Busy
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.paths import Paths
from chatdesk.core.store.instances import InstanceLock, maintenance_lock


class DatabaseInUse(Busy):
    """Another chatdesk process has the database open."""


@contextlib.contextmanager
def database_alone(paths: Paths, what: str) -> Iterator[InstanceLock]:
    """The database to ourselves for `what` (a marked phrase: "restore a backup"):
    DatabaseInUse when another chatdesk (a window or a command) is running on this data
    folder."""
    instance = InstanceLock(paths.run_dir)
    try:
        with maintenance_lock(paths.run_dir):
            refuse_others(instance, what)
            yield instance
    finally:
        instance.release()


def refuse_others(instance: InstanceLock, what: str) -> None:
    alive = len(instance.others().alive)
    if alive == 1:
        raise DatabaseInUse(
            tr(
                "cannot {what}: another chatdesk process is using the database (a window or a "
                "command). Close chatdesk everywhere and try again; nothing was changed.",
                what=tr(what),
            )
        )
    if alive:
        raise DatabaseInUse(
            ntr(
                "cannot {what}: {n} chatdesk process is using the database (a window or a "
                "command). Close chatdesk everywhere and try again; nothing was changed.",
                "cannot {what}: {n} chatdesk processes are using the database (a window or a "
                "command). Close chatdesk everywhere and try again; nothing was changed.",
                alive,
                what=tr(what),
            )
        )
