"""The attachments' bytes that go with a copy of the database: a backup takes the blobs its
messages and drafts refer to into an `attachments` folder beside it, and a restore brings the
ones missing from the data folder back the same way.

Blobs are named by their content, so the folder beside the backups is shared by all of them:
each backup adds only the blobs it is the first to need, and a blob goes once no backup in the
folder refers to it (`prune_copies`, after rotation). Every blob is read, hashed and written
whole (a temporary file renamed) before it counts; one that is missing or damaged at the source
is left out and named in the log, and its messages are kept."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from chatdesk.core.store.blobs import BlobDamaged, BlobMissing, BlobStore

log = logging.getLogger("chatdesk.store")

BLOBS = "attachments"  # the attachments' bytes beside a database (chatdesk/core/store/blobs.py)
# A copied blob no backup refers to is kept this long: a backup another chatdesk process is
# writing into the same folder may have copied it before its database file is in place.
PRUNE_GRACE = 3600.0


def referenced(database: Path) -> set[str]:
    """The blobs a database file refers to (attachments, their thumbnails, drafts); none for a
    database from before blobs."""
    found: set[str] = set()
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(attachments)")}
        if "blob" not in columns:
            return found
        for sha256, thumb in connection.execute("SELECT sha256, thumb FROM attachments WHERE blob"):
            found.update(h for h in (sha256, thumb) if h)
        for (data,) in connection.execute("SELECT data FROM drafts WHERE data IS NOT NULL"):
            for item in _draft_items(data):
                found.update(h for h in (item.get("sha256"), item.get("thumb")) if h)
    finally:
        connection.close()
    return found


def _draft_items(data: str | bytes) -> list[dict[str, str]]:
    try:
        items = json.loads(data).get("attachments", [])
    except (ValueError, AttributeError):
        return []
    return [item for item in items if isinstance(item, dict)]


def copy_blobs(database: Path, source: Path, target: Path) -> tuple[int, list[str]]:
    """Copy the blobs `database` refers to from the store in `source` to the one in `target`
    (those it lacks); (how many were copied, the hashes missing or damaged at the source).
    OSError when one cannot be written."""
    if source.resolve() == target.resolve():
        return 0, []
    wanted = referenced(database)
    if not wanted:
        return 0, []
    have, give = BlobStore(target), BlobStore(source)
    copied, lost = 0, []
    for sha256 in sorted(wanted):
        if have.has(sha256):
            continue
        try:
            data = give.read(sha256)  # hashed: a damaged blob is not passed on
        except (BlobMissing, BlobDamaged):
            lost.append(sha256)
            continue
        have.put(data)
        copied += 1
    if lost:
        log.warning("%d attachment file(s) missing or damaged in %s: %s", len(lost), source, lost)
    return copied, lost


def prune_copies(folder: Path, keep_seconds: float = PRUNE_GRACE) -> int:
    """Remove the blobs in `folder`'s attachments folder that no database in `folder` refers
    to (a backup rotated away, or deleted by hand); how many went. When a database there
    cannot be read, nothing goes: what it refers to is not known."""
    copies = BlobStore(folder / BLOBS)
    if not copies.folder.is_dir():
        return 0
    wanted: set[str] = set()
    for database in sorted(folder.glob("*.db")):
        try:
            wanted |= referenced(database)
        except sqlite3.Error as error:
            log.warning("kept every backed-up attachment: %s cannot be read (%s)", database, error)
            return 0
    removed = copies.sweep(wanted, keep_seconds)
    if removed:
        log.info("removed %d attachment file(s) no backup refers to", removed)
    return removed
