"""Reading a file named from outside (a dropped or chosen attachment, an import): only a
regular file is read. A FIFO would block the reading thread forever, a device such as
/dev/zero never ends, and a directory is not what was meant. The check is made on the opened
file (`fstat`), so nothing can be swapped in between a check and the read; it is opened without
blocking, so a FIFO is refused at once instead of waiting for a writer."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr

_NO_WAIT = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs among files
_BINARY = getattr(os, "O_BINARY", 0)  # Windows


def open_regular(path: Path) -> BinaryIO:
    """`path` (links followed: the user named it) opened to read, when it is a regular file;
    else InvalidRequest. OSError as `open` raises it (missing, no permission)."""
    fd = os.open(path, os.O_RDONLY | _NO_WAIT | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InvalidRequest(
                tr("{name} is not a regular file; only files can be read", name=path.name)
            )
        if sys.platform != "win32":  # reads wait for the disk again
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (else InvalidRequest, saying both
    sizes), read once."""
    with open_regular(path) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidRequest(
            tr(
                "{name} is over {size} MB; files up to {size} MB can be read",
                name=path.name,
                size=f"{max_bytes / 1024 / 1024:.0f}",
            )
        )
    return data
