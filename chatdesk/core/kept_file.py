"""A small file the window keeps from one run to the next (the thread list it showed last, so
the next start can show it before the core is open): the composition root makes it, the window
says what to keep and reads back what was kept, and this does the file work.

It is a convenience: losing it costs a moment at the next start. So nothing here raises; what
cannot be read or written is logged and counts as nothing kept. It is written 0600, in the run
folder (0700), and read like any file: an oversized or odd one is nothing kept.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("chatdesk.kept")

THREAD_LIST = "sidebar.json"  # the sidebar's rows, in the run folder
THREAD_LIST_MAX_BYTES = 256 * 1024


class KeptFile:
    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self._max_bytes = max_bytes

    def read(self) -> bytes | None:
        """What the last run kept, or None when it kept nothing or it cannot be read. Small
        and local: read by the window before it has a loop to wait on (at its first paint)."""
        from chatdesk.core.errors import ChatdeskError
        from chatdesk.core.trust.files import read_regular

        try:
            return read_regular(self.path, self._max_bytes)
        except FileNotFoundError:
            return None
        except (OSError, ChatdeskError) as error:
            log.info("%s kept by the last run was not used: %s", self.path.name, error)
            return None

    async def write(self, data: bytes | None) -> None:
        """Keep `data` for the next run, off the loop's thread; None removes what was kept."""
        import asyncio

        await asyncio.to_thread(self.write_now, data)

    def write_now(self, data: bytes | None) -> None:
        from chatdesk.core.writing import replace_file_atomically

        try:
            if data is None:
                self.path.unlink(missing_ok=True)
                return
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            replace_file_atomically(self.path, data)
        except OSError as error:
            log.info("%s was not kept for the next run: %s", self.path.name, error)
