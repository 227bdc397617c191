"""A database that lives only in memory, with the schema every migration makes: a temporary
chat's. Nothing of it is ever written to a file; closing the store drops it."""

from __future__ import annotations

from pathlib import Path

from chatdesk.core.store.engine import memory_engine, writer
from chatdesk.core.store.fresh import make_at_head
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.store import Store

IN_MEMORY = Path("(in memory)")  # what errors name for it; never opened as a file


def memory_store(run_dir: Path) -> Store:
    """A new, empty database in memory. `run_dir`: where this process's instance id would be
    locked; a store in memory takes no lock (nothing outlives the process to recover)."""
    engine = memory_engine()
    with writer(engine).connect() as connection, connection.begin():
        report = make_at_head(connection)
    assert report is not None  # a new database in memory is empty
    instance = InstanceLock(run_dir, take=False)
    return Store(engine, instance, IN_MEMORY, report, one_thread=True)
