"""Which chatdesk processes are alive, so start-up recovery only touches dead ones' answers.

Each process holds an exclusive lock on `run/<instance id>.lock` for its lifetime. An answer row
that is still `streaming` belongs to a live process if, and only if, its owner's lock is held.
The operating system drops the lock when a process dies, however it dies; its file stays, which
tells the next start that a chatdesk ended without closing (see `Instances.dead`). The locks
themselves are `locking.py`'s, the same on every OS.

Whoever changes which file is the database, and every start while it checks and opens it,
also holds `run/maintenance.busy` (`maintenance_lock`); exclusive.py says why the two locks are
taken in that order. `starting` takes both for a start.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.store.locking import RENAME_WHILE_OPEN, lock, try_lock, unlock

LOCK_SUFFIX = ".lock"
MAINTENANCE_LOCK = "maintenance.busy"


class InstanceLock:
    def __init__(self, run_dir: Path, *, take: bool = True) -> None:
        """`take=False`: an id that holds no lock yet (chatdesk reads a folder it cannot
        write); `take()` takes it once the folder can be written."""
        self.id = uuid.uuid4().hex
        self._run_dir = run_dir
        self._path = run_dir / f"{self.id}{LOCK_SUFFIX}"
        self._fd: int | None = None
        if take:
            self.take()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self) -> None:
        if self._fd is not None:
            return
        run_dir = self._run_dir
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Locked before it appears under its name, so no other process can find the file
        # unlocked and take its owner for dead. Where an open file cannot be renamed (Windows)
        # it is made under its name, and the moment before the lock is covered by the file
        # being undeletable while open (see `is_alive`).
        fresh = run_dir / f".{self.id}.new" if RENAME_WHILE_OPEN else self._path
        fd = os.open(fresh, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        try:
            if not try_lock(fd):  # a new file: no one else can hold it
                raise OSError(f"cannot lock {fresh}")
            if fresh != self._path:
                os.replace(fresh, self._path)
        except BaseException:
            os.close(fd)
            fresh.unlink(missing_ok=True)
            raise
        self._fd = fd

    def is_alive(self, instance_id: str) -> bool:
        """Whether the process that owns `instance_id` is still running."""
        if instance_id == self.id:
            return True
        path = self._run_dir / f"{instance_id}{LOCK_SUFFIX}"
        if lock_held(path):
            return True
        return not _remove(path)  # a dead owner's file: tidy up

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
        fd, self._fd = self._fd, None
        if not RENAME_WHILE_OPEN:  # the file cannot go while it is open there
            unlock(fd)
            os.close(fd)
            _remove(self._path)
        else:  # removed before the lock goes: no one sees it unlocked under its name
            self._path.unlink(missing_ok=True)
            os.close(fd)


@dataclass(frozen=True)
class Instances:
    alive: tuple[Path, ...]
    dead: tuple[Path, ...]  # left by processes that ended without closing: an unclean exit

    def forget_dead(self) -> None:
        for path in self.dead:
            _remove(path)


def lock_held(path: Path) -> bool:
    """Whether a running process holds the lock file at `path`."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except PermissionError:  # Windows: a file being deleted, or one its owner is making
        return path.exists()
    try:
        if not try_lock(fd):
            return True
        unlock(fd)
    finally:
        os.close(fd)
    return False


def _remove(path: Path) -> bool:
    """Delete a lock file no one holds; False when it cannot go because a process has it
    open (Windows: its owner is making it), which means that process is alive."""
    try:
        path.unlink(missing_ok=True)
    except PermissionError:
        return False
    return True


@contextlib.contextmanager
def maintenance_lock(run_dir: Path) -> Iterator[None]:
    """Held while the database file is checked, replaced or set aside (waits for another)."""
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(run_dir / MAINTENANCE_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        lock(fd)
        yield
    finally:
        os.close(fd)  # releases the lock


@dataclass(frozen=True)
class Start:
    """A start holding its instance lock and the maintenance lock, and what it found."""

    instance: InstanceLock
    alone: bool  # no other chatdesk is running on this data folder
    dead: bool  # a chatdesk ended without closing: its lock file stayed


@contextlib.contextmanager
def starting(run_dir: Path) -> Iterator[Start]:
    """This process's instance lock, then the maintenance lock for as long as the start checks
    and opens the database. When that succeeds the dead processes' files go (the next start
    need not check fully again) and the instance lock stays with the process until it closes
    its store; when it fails the instance lock is released."""
    instance = InstanceLock(run_dir)  # before the maintenance lock: see exclusive.py
    try:
        with maintenance_lock(run_dir):
            others = instance.others()
            yield Start(instance, not others.alive, bool(others.dead))
            others.forget_dead()
    except BaseException:
        instance.release()
        raise
