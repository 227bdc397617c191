"""Formatted messages kept across restarts, so a thread formatted before opens formatted.

A message's formatting depends on its text and on how it is shown (the look's palette, the
screen's pixel ratio, the reading type's sizes), and on the renderer. `KeptRenders` keeps
`Rendered` results in a file of the cache folder (`rendered.db`, SQLite, 0600), each under a
key made of exactly those: the text's digest, the palette's values, the pixel ratio, the
reading type's values, and the renderer's fingerprint
(chatdesk's version, the render package's own source, and the versions of the libraries it
formats with). A new chatdesk, a new Pygments or a look's new colours make new keys; the old
entries go as the least recently used.

Only what renders the same next time is kept: never a message shown plain (too big, too slow,
failed), one whose formulas were shown as source because the math library was not loaded, or
one with remote images the user loaded (their bytes stay in memory only).

Private like the database it comes from: an entry names its message, and the entries of a
deleted message are removed (`forget`) as the deletion happens and, for deletions made
elsewhere (the command line, the trash emptied), when the window next checks `message_ids`
against the database. The file is a cache: damaged, unreadable or full, it is dropped or left
unused, and formatting goes on as if it were empty. Bounded to `MAX_BYTES`, the least recently
used go first.

Every method blocks on SQLite: never call one on the GUI thread; `submit` runs it on the
cache's own thread. The file is opened on first use, so start-up pays nothing for it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from chatdesk.core.render.model import ReadingType, Rendered
from chatdesk.core.render.palette import Palette

log = logging.getLogger("chatdesk.render")

FILE_NAME = "rendered.db"
MAX_BYTES = 64 * 1024 * 1024  # compressed; ~10,000 typical answers
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rendered (
    key BLOB PRIMARY KEY,
    message_id TEXT NOT NULL,
    data BLOB NOT NULL,
    size INTEGER NOT NULL,
    used_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rendered_message ON rendered (message_id);
CREATE INDEX IF NOT EXISTS rendered_used ON rendered (used_at);
"""


@dataclass(frozen=True)
class KeptKey:
    """What a message's formatting depends on, besides the renderer."""

    message_id: uuid.UUID
    text_digest: str
    palette: Palette
    pixel_ratio: float
    reading: ReadingType = field(default_factory=ReadingType)  # the sizes it is set in


class KeptRenders:
    def __init__(self, folder: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.path = folder / FILE_NAME
        self._max_bytes = max_bytes
        self._connection: sqlite3.Connection | None = None
        self._fingerprint = ""  # the renderer's, in every key (set when the file is opened)
        self._unusable = False  # opening failed: formatting goes on without it this run
        self._lock = threading.Lock()  # one caller at a time, whichever thread
        self._thread: ThreadPoolExecutor | None = None
        self._starting = threading.Lock()
        self._closed = False

    # -- reading and writing ---------------------------------------------------------------------

    def get_many(self, keys: Iterable[KeptKey]) -> dict[KeptKey, Rendered]:
        """The kept formatting of those of `keys` that have one (marked as used now)."""
        keys = list(keys)
        found: dict[KeptKey, Rendered] = {}
        with self._using() as db:
            by_stored = {self._stored_key(key): key for key in keys}
            if db is None or not by_stored:
                return found
            marks = ",".join("?" * len(by_stored))
            query = f"SELECT key, data FROM rendered WHERE key IN ({marks})"
            rows = db.execute(query, list(by_stored)).fetchall()
            for stored, data in rows:
                rendered = _decoded(data)
                if rendered is not None:
                    found[by_stored[stored]] = rendered
            if rows:
                used = [(time.time(), stored) for stored, _ in rows]
                db.executemany("UPDATE rendered SET used_at = ? WHERE key = ?", used)
                db.commit()
        return found

    def put_many(self, entries: Sequence[tuple[KeptKey, Rendered]]) -> None:
        """Keep these (each replaces what its key held), then drop the least recently used
        past the bound."""
        encoded = [(key, _encoded(rendered)) for key, rendered in entries]
        now = time.time()
        with self._using() as db:
            if db is None or not encoded:
                return
            rows = [
                (self._stored_key(key), key.message_id.hex, data, len(data), now)
                for key, data in encoded
            ]
            db.executemany(
                "INSERT OR REPLACE INTO rendered (key, message_id, data, size, used_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self._bound(db)
            db.commit()

    def forget(self, message_ids: Iterable[uuid.UUID]) -> None:
        """Remove what is kept of these messages (they were deleted)."""
        ids = [(message_id.hex,) for message_id in message_ids]
        with self._using() as db:
            if db is not None and ids:
                db.executemany("DELETE FROM rendered WHERE message_id = ?", ids)
                db.commit()

    def message_ids(self) -> list[uuid.UUID]:
        """The messages something is kept of (to `forget` those no longer in the database)."""
        with self._using() as db:
            if db is not None:
                rows = db.execute("SELECT DISTINCT message_id FROM rendered").fetchall()
                return [uuid.UUID(hex=row[0]) for row in rows]
        return []

    def open_soon(self) -> None:
        """Open the file and work out the renderer's fingerprint now, on the cache's thread
        (tens of milliseconds on a cold start), so the first page's read, which a page waits
        for only briefly, finds them done."""
        self.submit(self._open_now)

    def _open_now(self) -> None:
        with self._using():
            pass

    def submit(self, call: Callable[..., T], *args: Any) -> Future[T]:
        """`call(*args)` (one of the methods above) on this cache's own thread, in order; once
        closed, nothing runs (the future is cancelled)."""
        with self._starting:  # not `_lock`, which a call on the cache's thread may hold
            if self._closed:
                nothing: Future[T] = Future()
                nothing.cancel()
                return nothing
            if self._thread is None:
                self._thread = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-kept-renders")
            return self._thread.submit(call, *args)

    def close(self) -> None:
        """After what was submitted is done."""
        with self._starting:
            self._closed = True
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.shutdown(wait=True)
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- the file --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlite3.Connection | None]:
        """The open connection (None: the cache cannot be used this run). An error inside
        closes it; a damaged file is removed, to be made anew by the next call."""
        with self._lock:
            db = self._open()
            try:
                yield db
            except (sqlite3.OperationalError, OSError) as error:  # a full disk, a lock
                log.warning("formatted messages were not kept: %s", error)
                with contextlib.suppress(sqlite3.Error):
                    if db is not None:
                        db.rollback()
            except sqlite3.DatabaseError as error:  # damaged, or not a database at all
                self._drop(error)

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is not None or self._unusable:
            return self._connection
        db = None
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            db = sqlite3.connect(self.path, timeout=1.0, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # a cache: losing the last write is fine
            db.executescript(_SCHEMA)
        except (sqlite3.OperationalError, OSError) as error:  # unwritable folder, full disk
            log.warning("formatted messages are not kept this run: %s", error)
            self._unusable = True
            _close(db)
            return None
        except sqlite3.DatabaseError as error:
            _close(db)
            self._drop(error)
            return None
        self._fingerprint = fingerprint().hex()
        self._connection = db
        return db

    def _drop(self, error: sqlite3.DatabaseError) -> None:
        log.warning("the kept formatting was unreadable and is dropped: %s", error)
        _close(self._connection)
        self._connection = None
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def _bound(self, db: sqlite3.Connection) -> None:
        total = db.execute("SELECT coalesce(sum(size), 0) FROM rendered").fetchone()[0]
        if total <= self._max_bytes:
            return
        excess = total - int(self._max_bytes * 0.9)  # room, so the next puts do not prune
        # The least recently used, oldest first, until `excess` bytes are gone.
        db.execute(
            "DELETE FROM rendered WHERE key IN (SELECT key FROM (SELECT key, size, sum(size) "
            "OVER (ORDER BY used_at, key) AS running FROM rendered) WHERE running - size < ?)",
            (excess,),
        )

    def _stored_key(self, key: KeptKey) -> bytes:
        parts = (self._fingerprint, key.message_id.hex, key.text_digest, key.palette.spelled())
        text = "\0".join((*parts, f"{key.pixel_ratio:g}", key.reading.spelled()))
        return hashlib.blake2b(text.encode(), digest_size=20).digest()


def _close(db: sqlite3.Connection | None) -> None:
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def fingerprint() -> bytes:
    """What the renderer's output depends on besides a message: chatdesk's version, the render
    package's source (a changed renderer in a checkout), and its libraries' versions."""
    from chatdesk import __version__

    digest = hashlib.blake2b(__version__.encode(), digest_size=32)
    here = Path(__file__).parent
    for source in sorted(here.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(source.name.encode() + source.read_bytes())
    for library, project in LIBRARIES:
        digest.update(f"{library}={installed(library, project)}".encode())
    return digest.digest()


# The libraries the renderer formats with: (the module, the project that installs it).
LIBRARIES = (
    ("markdown_it", "markdown-it-py"),
    ("pygments", "Pygments"),
    ("matplotlib", "matplotlib"),
)


def installed(module: str, project: str) -> str:
    """The name of the record the installer left beside `module`'s package
    ("Pygments-2.19.2.dist-info": the version is in it), or "none". Read from one folder's
    listing, without importing the package or importlib.metadata (whose import and search of
    every installed package cost a cold start a few hundred milliseconds)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    places = spec.submodule_search_locations if spec is not None else None
    if not places:
        return "none"
    folder = Path(next(iter(places))).parent
    wanted = re.sub(r"[-_.]+", "_", project).lower() + "-"
    try:
        names = os.listdir(folder)
    except OSError:
        return "none"
    for name in sorted(names):
        spelled = re.sub(r"[-_.]+", "_", name.split("-", 1)[0]).lower() + "-"
        if spelled == wanted and name.endswith((".dist-info", ".egg-info")):
            return name
    return "none"


def lasting(rendered: Rendered) -> bool:
    """Whether `rendered` is what the same text gives next time (worth keeping)."""
    return not rendered.plain and rendered.complete


# -- the stored form: zlib-compressed JSON, checked when read ------------------------------------


def _encoded(rendered: Rendered) -> bytes:
    record = {
        "html": rendered.html,
        "images": {name: base64.b64encode(data).decode() for name, data in rendered.images.items()},
        "code": list(rendered.code_blocks),
        "remote": list(rendered.remote_images),
    }
    return zlib.compress(json.dumps(record, ensure_ascii=False).encode(), 6)


def _decoded(data: object) -> Rendered | None:
    """The entry, or None when it is not one this version wrote (damaged, or foreign)."""
    if not isinstance(data, bytes):
        return None
    try:
        record = json.loads(zlib.decompress(data))
        html, images, code, remote = (record[k] for k in ("html", "images", "code", "remote"))
        if not (isinstance(html, str) and _strings(code) and _strings(remote)):
            return None
        if not (isinstance(images, Mapping) and _strings(list(images.values()))):
            return None
        pictures = {
            str(name): base64.b64decode(text, validate=True) for name, text in images.items()
        }
    except (ValueError, KeyError, TypeError, zlib.error):
        return None
    return Rendered(html, pictures, tuple(code), tuple(remote), plain=False)


def _strings(values: object) -> bool:
    return isinstance(values, list) and all(isinstance(value, str) for value in values)
