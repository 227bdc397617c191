"""Where an export is written: a file replaced only once complete, or a stream left open."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.writing import replacing


@contextlib.contextmanager
def replaced(target: Path) -> Iterator[Path]:
    """A temporary file beside `target` that replaces it, flushed to disk, only if the block
    succeeds (`chatdesk/core/writing.py`)."""
    target = target.expanduser().absolute()
    made = False
    try:
        with replacing(target) as temporary:
            made = True
            yield temporary
    except OSError as error:
        if made:  # the block's own failure, or the rename's: as they are
            raise
        raise InvalidRequest(
            tr("cannot write {target}: {reason}", target=target, reason=error.strerror or error)
        ) from None


@contextlib.contextmanager
def opened(target: Path | IO[bytes]) -> Iterator[IO[str]]:
    """Text written to a new file that replaces `target` once complete, or to a binary stream
    that stays open (stdout)."""
    if isinstance(target, Path):
        with replaced(target) as temporary, temporary.open("w", encoding="utf-8") as out:
            yield out
        return
    out = io.TextIOWrapper(target, encoding="utf-8", newline="\n")
    try:
        yield out
        out.flush()
    finally:
        out.detach()


@contextlib.contextmanager
def zipped_to(path: Path) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zipped:
        yield zipped
