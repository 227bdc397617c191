"""Attachments' bytes, stored once by content: `attachments/<first two hex digits>/<sha256>` in
the data folder, readable by the user only.

A blob is written whole or not at all (a temporary file, flushed to disk, then renamed over
the name), so a crash or a full disk never leaves a short file under a hash. Reading checks the
hash when asked: a damaged or missing blob is reported, never passed on as the attachment.
Rows refer to blobs by hash (`attachments.sha256`, `.thumb`, and drafts); what no row refers to
goes once it has been left alone for the retention period (`sweep`), so a file attached to a
draft a moment ago is never taken for garbage.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.writing import replace_file_atomically

_HASH = re.compile(r"[0-9a-f]{64}")
# What a refused write says when the disk cannot take it (some are POSIX only).
_FULL = {
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EROFS", "EACCES") if hasattr(errno, name)
}


class BlobMissing(ChatdeskError):
    """An attachment's bytes are not in the store (deleted, or a backup restored without them)."""


class BlobDamaged(ChatdeskError):
    """An attachment's bytes are there but no longer hash to their name."""


class StorageFull(ChatdeskError):
    """The bytes could not be written: the disk is full or refuses writes."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def beside(cls, database: Path) -> BlobStore:
        """The store of the database at `database`: `attachments/` in its folder."""
        return cls(database.parent / "attachments")

    def path(self, sha256: str) -> Path:
        if not _HASH.fullmatch(sha256):
            raise BlobMissing(
                tr("{name} is not the name of an attachment's bytes", name=repr(sha256))
            )
        return self.folder / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` (if it is not stored yet) and return its SHA-256."""
        sha256 = digest(data)
        target = self.path(sha256)
        try:
            if target.is_file() and target.stat().st_size == len(data):
                os.utime(target)  # used again: the retention period starts anew
                return sha256
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            replace_file_atomically(target, data)  # 0600, flushed, renamed over the name
        except OSError as error:
            if error.errno in _FULL:
                raise StorageFull(
                    tr(
                        "the attachment could not be stored in {folder}: {reason}",
                        folder=self.folder,
                        reason=error.strerror or error,
                    )
                ) from error
            raise
        return sha256

    def read(self, sha256: str, *, verify: bool = True) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError as error:
            raise BlobMissing(
                tr("the bytes of attachment {id}… are missing", id=sha256[:12])
            ) from error
        if verify and digest(data) != sha256:
            raise BlobDamaged(tr("the bytes of attachment {id}… are damaged", id=sha256[:12]))
        return data

    def has(self, sha256: str) -> bool:
        with contextlib.suppress(BlobMissing, OSError):
            return self.path(sha256).is_file()
        return False

    def check(self, hashes: Iterable[str]) -> tuple[list[str], list[str]]:
        """(missing, damaged) among `hashes`, each blob read and hashed."""
        missing, damaged = [], []
        for sha256 in hashes:
            try:
                self.read(sha256)
            except BlobMissing:
                missing.append(sha256)
            except (BlobDamaged, OSError):
                damaged.append(sha256)
        return missing, damaged

    def stored(self) -> Iterator[tuple[str, Path]]:
        """(sha256, path) of every blob in the store."""
        if not self.folder.is_dir():
            return
        for shard in self.folder.iterdir():
            if len(shard.name) == 2 and shard.is_dir():
                for path in shard.iterdir():
                    if _HASH.fullmatch(path.name):
                        yield path.name, path

    def sweep(self, referenced: set[str], keep_seconds: float) -> int:
        """Remove the blobs nobody refers to that were last stored or used more than
        `keep_seconds` ago (and leftovers of interrupted writes); how many went."""
        cutoff = time.time() - keep_seconds
        removed = 0
        for sha256, path in list(self.stored()):
            with contextlib.suppress(OSError):
                if sha256 not in referenced and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        for leftover in self.folder.glob("*/.*.tmp") if self.folder.is_dir() else ():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < time.time() - 3600:
                    leftover.unlink()
        return removed
