"""Local storage: SQLite engine, ORM models, migrations, backups and the single writer."""

from chatdesk.core.store.store import StorageError, Store, open_store

__all__ = ["StorageError", "Store", "open_store"]
