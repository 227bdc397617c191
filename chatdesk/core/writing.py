"""Files written whole: a crash, a full disk or a read-only one leaves either the old file or the
new one, never half of one, and what is written is private (0600 on POSIX).

The bytes go to a temporary file in the same folder (so the rename stays on one file system),
are flushed to disk, then renamed over the name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr


def free_space(folder: Path) -> int | None:
    """The bytes free on the disk that holds `folder`; None when that cannot be read."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def save_private_text(path: Path, text: str, error: type[ChatdeskError], what: str) -> None:
    """Replace `path` with `text` atomically, 0600 in a 0700 folder; a failure raises `error`
    with `what`, a marked message with the fields {path} and {reason}."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file_atomically(path, text.encode("utf-8"))
    except OSError as failure:
        reason = failure.strerror or str(failure)
        raise error(tr(what, path=path, reason=reason)) from failure


def replace_file_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically and 0600; a failure raises the OSError, with the
    old file, if any, left as it was."""
    with replacing(path) as temporary, temporary.open("wb") as file:
        file.write(data)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` (0600, empty) for the block to write; when the block
    ends without an exception it is flushed to disk and renamed over `path`, else removed and
    `path` left as it was. Creating the file raises its OSError."""
    import tempfile  # here: start-up reads settings and writes nothing

    # mkstemp creates the file with mode 0600, so what is written is never readable by others.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)  # makes the rename itself durable


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync; its rename is journalled
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
