"""Which chatdesk processes are alive, so start-up recovery only touches dead ones' answers.

Each process holds an exclusive lock on `run/<instance id>.lock` for its lifetime. An answer row
that is still `streaming` belongs to a live process if, and only if, its owner's lock is held.
The operating system drops the lock when a process dies, however it dies; its file stays, which
tells the next start that a chatdesk ended without closing (see `Instances.dead`).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".lock"


class InstanceLock:
    def __init__(self, run_dir: Path) -> None:
        self.id = uuid.uuid4().hex
        self._run_dir = run_dir
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._path = run_dir / f"{self.id}{LOCK_SUFFIX}"
        # Locked before it appears under its name: no other process can find the file unlocked
        # and take its owner for dead.
        fresh = run_dir / f".{self.id}.new"
        fd = os.open(fresh, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.replace(fresh, self._path)
        except BaseException:
            os.close(fd)
            fresh.unlink(missing_ok=True)
            raise
        self._fd: int | None = fd

    def is_alive(self, instance_id: str) -> bool:
        """Whether the process that owns `instance_id` is still running."""
        if instance_id == self.id:
            return True
        path = self._run_dir / f"{instance_id}{LOCK_SUFFIX}"
        if lock_held(path):
            return True
        path.unlink(missing_ok=True)  # a dead owner's file: tidy up
        return False

    def others(self) -> Instances:
        """The other chatdesk processes using this data folder, and the files of dead ones."""
        alive: list[Path] = []
        dead: list[Path] = []
        for path in sorted(self._run_dir.glob(f"*{LOCK_SUFFIX}")):
            if path == self._path:
                continue
            (alive if lock_held(path) else dead).append(path)
        return Instances(tuple(alive), tuple(dead))

    def release(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        self._path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Instances:
    alive: tuple[Path, ...]
    dead: tuple[Path, ...]  # left by processes that ended without closing: an unclean exit

    def forget_dead(self) -> None:
        for path in self.dead:
            path.unlink(missing_ok=True)


def lock_held(path: Path) -> bool:
    """Whether a running process holds the lock file at `path`."""
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
    return False
