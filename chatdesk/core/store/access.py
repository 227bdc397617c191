"""Whether the data folder can be written now, and how to read the chats when it cannot.

A full disk or a folder that cannot be written (a read-only drive, a folder whose permissions
changed) must not stand between a user and their chats: chatdesk then opens the database
read-only, shows every chat, refuses each write with `WriteBlocked.message` (what is wrong
and what to do) and writes again as soon as `write_blocked` finds nothing in the way
(read_only.py opens it so).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import uuid
from pathlib import Path

from chatdesk.core.i18n import tr
from chatdesk.core.store.failures import FULL_BELOW, ROOM_WANTED, WriteBlocked
from chatdesk.core.store.store import Store
from chatdesk.core.units import format_size
from chatdesk.core.writing import free_space

log = logging.getLogger("chatdesk.store")

_NO_ROOM = {errno.ENOSPC, errno.EDQUOT}
WATCH_SECONDS = 5.0  # how often the window's core looks at the data folder (read-only or not)


def write_blocked(data_dir: Path) -> WriteBlocked | None:
    """What keeps chatdesk from writing to `data_dir` now, or None when it can write."""
    error = _write_probe(data_dir)
    if error is not None and error.errno not in _NO_ROOM:
        return folder_not_writable(data_dir, error)
    free = free_space(data_dir)
    if error is not None or (free is not None and free < FULL_BELOW):
        return full_disk(data_dir, free or 0)
    return None


def full_disk(data_dir: Path, free: int) -> WriteBlocked:
    """The disk that holds `data_dir` has `free` bytes left: too few to write to."""
    return WriteBlocked(
        "full",
        tr(
            "The disk that holds your chats ({folder}) is full ({free} free)",
            folder=data_dir,
            free=format_size(free),
        ),
        tr(
            "Free at least {size} there and chatdesk saves again by itself; "
            "nothing saved is lost, and what you are writing stays where you wrote it.",
            size=format_size(ROOM_WANTED),
        ),
    )


def folder_not_writable(data_dir: Path, error: OSError) -> WriteBlocked:
    """`data_dir` cannot be written (a read-only drive, a folder whose permissions changed)."""
    reason = error.strerror or str(error)
    return WriteBlocked(
        "read_only",
        tr(
            "The folder that holds your chats ({folder}) cannot be written ({reason})",
            folder=data_dir,
            reason=reason,
        ),
        tr(
            "Make it writable, or move the data folder to a place you can write (--data-dir or "
            "CHATDESK_DATA_DIR), and chatdesk saves again by itself; nothing saved is lost, and "
            "what you are writing stays where you wrote it."
        ),
    )


async def wait_until_writable(store: Store) -> None:
    """Return once `store` can write (at once when it can already), looking every
    WATCH_SECONDS: no system tells portably when a disk has room again or a folder became
    writable."""
    while True:
        if await store.try_writing():
            return
        await asyncio.sleep(WATCH_SECONDS)


def _write_probe(data_dir: Path) -> OSError | None:
    """Why a small file cannot be made (and removed) in `data_dir`, or None when it can.

    It is the only test that every system answers truly: permission bits do not tell of a
    read-only drive, nor an ACL on Windows."""
    probe = data_dir / f".chatdesk-write-probe-{uuid.uuid4().hex}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return error
    finally:
        _remove(probe)
    return None


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
