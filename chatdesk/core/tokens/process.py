"""tiktoken in a child process, so that loading an encoding never stalls the window.

Building a `tiktoken.Encoding` holds the GIL for ~110–150 ms (its Rust constructor), which no
worker thread can hide from the GUI thread, and o200k_base adds ~75 MB to the process that
holds it (decision 0014). A child process (`chatdesk/core/trust/children.py` starts and supervises
it) loads the encodings from the same places (`files.py`: the folders are
resolved here, when the load is asked, and sent along) and counts batches of texts. It imports
neither Qt nor SQLAlchemy: its loop is `child.py`, which imports only tiktoken's side of
`chatdesk.core.tokens`.

Protocol (over the supervisor's pipes): the child sends ("ready",) once its imports are done, then
answers (number, "load", name, folders) with (number, found, notes) and (number, "count", name,
texts) with (number, [tokens of each text] or None, notes); `notes` are the child's log
warnings, logged here. One request at a time (a lock), a big batch in several of ~1 MB; every
wait on a pipe releases the GIL.

Failures: a child that does not start, dies, or does not answer in time is killed; the call
that met it gets estimates (never an exception), its encodings count as not loaded, and the
next `load` starts a new child, at most `MAX_STARTS` times in this object's lifetime (a text
that kills or stalls tiktoken every time must not cost a restart per count for ever); past
that, counts stay estimates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from chatdesk.core.tokens.child import serve
from chatdesk.core.tokens.files import default_locations
from chatdesk.core.trust.children import Child, ChildFailed

log = logging.getLogger("chatdesk.tokens")

Locations = Callable[[], Sequence[Path]]

MAX_STARTS = 3
READY_TIMEOUT = 30.0  # starting an interpreter and importing; generous for a loaded machine
LOAD_TIMEOUT = 30.0  # o200k takes ~0.25 s; a loaded CI machine is many times slower
COUNT_TIMEOUT = 10.0  # tiktoken counts ~30 MB/s: a batch of 1 MB takes ~35 ms
COUNT_TIMEOUT_PER_MB = 5.0
# Texts per request, in characters: pickling a request holds the GIL (~1–2 ms per MB), so a
# big batch goes in several, each ~35 ms of the child's work.
CHUNK_CHARS = 1_000_000


class CountingProcess:
    """Encodings loaded and texts counted in a child process, started by the first `load`.

    Thread-safe. `load` blocks until the child has the encoding (~0.3 s the first time, plus
    the child's start): call it off the GUI thread. `count` blocks for the child's answer
    (and for a request another thread is making); it never waits for a load of the same
    encoding, since it is only asked once `loaded` is true.
    """

    def __init__(
        self, locations: Locations = default_locations, *, timeout: float = COUNT_TIMEOUT
    ) -> None:
        self._locations = locations
        self._timeout = timeout
        self._lock = threading.Lock()
        self._child: Child | None = None
        # Loads finished in the current child: name → found. Written under the lock, read
        # without it; emptied when the child goes.
        self._found: dict[str, bool] = {}
        self._starts = 0
        self._number = 0
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The child's process id, while one runs."""
        child = self._child
        return child.pid if child else None

    def load(self, name: str) -> bool:
        """Have the child load `name` (starting it if needed); False when no intact local copy
        exists or no child could do it."""
        with self._lock:
            if name not in self._found:
                found = self._load(name)
                if found is not None:
                    self._found[name] = found
            return self._found.get(name, False)

    def ready(self, name: str) -> bool:
        """True once a load of `name` has finished, found or not; False again after the child
        died, so that the next `load` starts another. Never blocks."""
        return name in self._found

    def loaded(self, name: str) -> bool:
        return self._found.get(name, False)

    def count(self, name: str, texts: Sequence[str]) -> list[int] | None:
        """Tokens of each text, or None (count them otherwise) when `name` is not loaded or the
        child failed meanwhile."""
        if not self.loaded(name):
            return None
        counts: list[int] = []
        with self._lock:
            for chunk in _chunks(texts, CHUNK_CHARS):
                if not self.loaded(name):  # the child went while this call waited
                    return None
                size = sum(map(len, chunk))
                timeout = self._timeout + size / 1e6 * COUNT_TIMEOUT_PER_MB
                answer: list[int] | None = self._request("count", name, chunk, timeout)
                if answer is None:
                    return None
                counts.extend(answer)
        return counts

    def close(self) -> None:
        """Stop the child; counts are estimates from now on. Safe to call twice."""
        self._closed = True
        child = self._child
        if child is not None:
            child.kill()  # wakes a request another thread is waiting on
        with self._lock:
            self._discard()

    def _load(self, name: str) -> bool | None:
        """True or False as the child found the file; None when the child failed (try again
        later); False when no child can be started any more."""
        if not self._start():
            return None if self._can_start() else False
        folders = [str(folder) for folder in self._locations()]
        found = self._request("load", name, folders, LOAD_TIMEOUT)
        return None if found is None else bool(found)

    def _start(self) -> bool:
        if self._child is not None and not self._child.is_alive():
            log.warning("the token counting process has exited; it is started again")
            self._discard()
        if self._child is not None:
            return True
        if not self._can_start():
            return False
        self._starts += 1
        try:
            child = Child("chatdesk-tokens", serve, ready_timeout=READY_TIMEOUT)
        except Exception as error:  # no process left, no executable (a broken install) …
            log.warning("cannot start the token counting process: %s", error)
            return False
        try:
            child.wait_ready()
        except ChildFailed as failure:
            log.warning("the token counting process did not start: %s", failure.reason)
            child.stop()
            return False
        self._child = child
        return True

    def _can_start(self) -> bool:
        return not self._closed and self._starts < MAX_STARTS

    def _request(self, kind: str, name: str, payload: list[str], timeout: float) -> Any:
        """The child's answer, or None when it failed (it is then discarded)."""
        child = self._child
        if child is None:
            return None
        self._number += 1
        try:
            answer, notes = child.ask((self._number, kind, name, payload), timeout)
        except ChildFailed as failure:
            log.warning(
                "token counting process stopped: %s; estimates until restarted", failure.reason
            )
            self._discard()
            return None
        for level, message in notes:
            log.log(level, "token counting process: %s", message)
        return answer

    def _discard(self) -> None:
        child, self._child = self._child, None
        self._found.clear()
        if child is not None:
            child.stop()


def _chunks(texts: Sequence[str], most: int) -> Iterator[list[str]]:
    """`texts` in order, in lists of at most `most` characters (or of one longer text)."""
    chunk: list[str] = []
    size = 0
    for text in texts:
        if chunk and size + len(text) > most:
            yield chunk
            chunk, size = [], 0
        chunk.append(text)
        size += len(text)
    if chunk:
        yield chunk
