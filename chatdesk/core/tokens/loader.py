"""Encodings loaded once per process on demand, safe to share between threads.

This is tiktoken in the calling process: the counting child (`process.py`) runs one, and
tests and benchmarks use it directly. The app's window does not: building an encoding holds
the GIL for ~110–150 ms, which a worker thread cannot hide from the GUI thread (decision 0014).

Loading o200k_base reads and parses a 3.6 MB file (~0.3–0.5 s): callers run `load` in a worker
thread and others only ask `get`, which never waits. Each encoding has its own lock,
so two threads asking for the same one load it once and a load of one never waits for the
other. A failed search (no intact local copy) is remembered too: counting then falls back to
estimates for the lifetime of this object instead of searching the disk on every call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.tokens.files import SPECS, default_locations, load_encoding

if TYPE_CHECKING:
    import tiktoken

Locations = Callable[[], Sequence[Path]]


class Encodings:
    def __init__(self, locations: Locations = default_locations) -> None:
        self._locations = locations
        self._locks = {name: threading.Lock() for name in SPECS}
        # name → the encoding, or None when no local copy was found. Written once under the
        # name's lock; read without it (a dict lookup is atomic).
        self._loaded: dict[str, tiktoken.Encoding | None] = {}

    def load(self, name: str) -> tiktoken.Encoding | None:
        """The encoding, loading it now if needed (blocking: call it off the GUI thread)."""
        if name in self._loaded:
            return self._loaded[name]
        with self._locks[name]:
            if name not in self._loaded:
                self._loaded[name] = load_encoding(SPECS[name], self._locations())
            return self._loaded[name]

    def get(self, name: str) -> tiktoken.Encoding | None:
        """The encoding if it is already loaded; never blocks."""
        return self._loaded.get(name)

    def ready(self, name: str) -> bool:
        """True once a load has finished, whether or not it found the file."""
        return name in self._loaded

    def loaded(self, name: str) -> bool:
        return self._loaded.get(name) is not None

    def count(self, name: str, texts: Sequence[str]) -> list[int] | None:
        """Tokens of each text, or None when `name` is not loaded; never loads."""
        encoding = self._loaded.get(name)
        if encoding is None:
            return None
        # encode_ordinary: text that looks like a special token ("<|endoftext|>") is counted
        # as the plain text it is, as the API does with message content, instead of raising.
        return [len(encoding.encode_ordinary(text)) for text in texts]

    def close(self) -> None:
        """Nothing to stop: the encodings go with this object."""
