"""Which chatdesk processes are alive, so start-up recovery only touches dead ones' answers.

Each process holds an exclusive lock on `run/<instance id>.lock` for its lifetime. An answer row
that is still `streaming` belongs to a live process if, and only if, its owner's lock is held.
The operating system drops the lock when a process dies, however it dies.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class InstanceLock:
    def __init__(self, run_dir: Path) -> None:
        self.id = uuid.uuid4().hex
        self._run_dir = run_dir
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._path = run_dir / f"{self.id}.lock"
        self._fd: int | None = os.open(self._path, os.O_CREAT | os.O_RDWR, 0o600)
        if fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def is_alive(self, instance_id: str) -> bool:
        """Whether the process that owns `instance_id` is still running."""
        if instance_id == self.id:
            return True
        path = self._run_dir / f"{instance_id}.lock"
        if fcntl is None or not path.exists():
            return False
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        path.unlink(missing_ok=True)  # a dead owner's file: tidy up
        return False

    def release(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        self._path.unlink(missing_ok=True)
