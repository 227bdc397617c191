"""A disk that fills while the window is open turns the chats read-only before the next write,
not at a write that fails.

Every few seconds, while the window's maintenance runs (chatdesk/core/maintenance.py), the
free space of the data folder's disk is read: one `statvfs` (GetDiskFreeSpaceEx on Windows), off
the event loop and on no path a message takes. Under `FULL_BELOW` the store refuses every write
with the words a full disk gets at start-up (`access.full_disk`) and the window is told; once
there is `ROOM_WANTED` again (the room those words ask for, well above the first figure so the
state does not flap as a log grows and shrinks) the store writes again and the window is told
that too.
Writes refused for another reason (a folder that cannot be written, opened read-only at start)
are not this watch's to end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from chatdesk.core.store import access
from chatdesk.core.store.access import full_disk
from chatdesk.core.store.failures import FULL_BELOW, ROOM_WANTED
from chatdesk.core.store.store import Store
from chatdesk.core.writing import free_space

log = logging.getLogger("chatdesk.store")


class SpaceWatch:
    def __init__(
        self,
        store: Store,
        announce: Callable[[str | None], None],
        *,
        free_bytes: Callable[[], int | None] | None = None,
        every: float | None = None,
    ) -> None:
        """`announce(blocked)`: why nothing can be saved now (as `WriteBlocked.message`), or
        None once it can again. `free_bytes()`: the free bytes of the data folder's disk, None
        when they cannot be read (the disk's own, by default). `every`: seconds between looks
        (`access.WATCH_SECONDS`, as the read-only store's, by default)."""
        self._store = store
        self._folder = store.path.parent
        self._announce = announce
        self._free_bytes = free_bytes or (lambda: free_space(self._folder))
        self._every = access.WATCH_SECONDS if every is None else every
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Look at the free space once: hold the store's writes when it is almost gone, take
        them again when there is room."""
        free = await asyncio.to_thread(self._free_bytes)
        if free is None:  # the folder is gone or unreadable: a write will say what is wrong
            return
        if free < FULL_BELOW:
            blocked = full_disk(self._folder, free)
            if await self._store.hold(blocked):
                self._announce(blocked.message)
        elif free >= ROOM_WANTED and await self._store.release():
            self._announce(None)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="space watch")

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # a bug: logged, and the next look tries again
                log.exception("looking at the data folder's free space failed")
            await asyncio.sleep(self._every)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
