"""A database that lives only in memory, with the schema every migration makes: a temporary
chat's. Nothing of it is ever written to a file; closing the store drops it."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from chatdesk.core.store.engine import memory_engine, writer
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.migrate import alembic_config, head_revision
from chatdesk.core.store.schema import MigrationReport
from chatdesk.core.store.store import Store

IN_MEMORY = Path("(in memory)")  # what errors name for it; never opened as a file


def memory_store(run_dir: Path) -> Store:
    """A new, empty database in memory. `run_dir`: where this process's instance id would be
    locked; a store in memory takes no lock (nothing outlives the process to recover)."""
    engine = memory_engine()
    config = alembic_config()
    with writer(engine).connect() as connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    head = head_revision()
    instance = InstanceLock(run_dir, take=False)
    return Store(engine, instance, IN_MEMORY, MigrationReport(None, head, None), one_thread=True)
