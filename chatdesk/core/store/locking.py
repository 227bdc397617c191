"""Exclusive locks on open files, the same way on every OS: `flock` on Linux and macOS, a
one-byte `msvcrt` lock on Windows. The OS drops a lock when its process ends, however it ends,
which is what the instance and maintenance locks rely on.

Two differences the callers handle (chatdesk/core/store/instances.py): on Windows an open file
can be neither renamed nor deleted, and a lock is not inherited across a rename, so a lock file
is created and locked under its final name there; and a file whose owner has it open but not
yet locked cannot be deleted, which reads as "in use".
"""

from __future__ import annotations

import errno
import os
import sys

RENAME_WHILE_OPEN = sys.platform != "win32"  # a locked file can be put under its name


if sys.platform == "win32":
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take the exclusive lock on `fd` if no one holds it; False when someone does."""
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EDEADLOCK):
                return False
            raise
        return True

    def lock(fd: int) -> None:
        """Take the exclusive lock on `fd`, waiting for whoever holds it."""
        while True:
            os.lseek(fd, 0, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # tries for about ten seconds
            except OSError as error:
                if error.errno != errno.EDEADLOCK:
                    raise
            else:
                return

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the exclusive lock on `fd` if no one holds it; False when someone does."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def lock(fd: int) -> None:
        """Take the exclusive lock on `fd`, waiting for whoever holds it."""
        fcntl.flock(fd, fcntl.LOCK_EX)

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
