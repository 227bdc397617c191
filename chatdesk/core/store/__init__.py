"""The local database: the one door to it (`Store`), its opening and its failures."""

from chatdesk.core.store.failures import StorageError
from chatdesk.core.store.opening import open_store
from chatdesk.core.store.store import Store

__all__ = ["StorageError", "Store", "open_store"]
