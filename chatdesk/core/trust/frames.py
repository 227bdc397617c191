"""Messages between chatdesk and its child processes, over a pipe's file descriptor: each one a
pickle preceded by its length (8 bytes, big-endian).

Pickle, as multiprocessing's pipes use: both ends run chatdesk's own code, and a child that
could forge a message could as well lie in any other format. Plain `os.read`/`os.write` on the
descriptor, so the same code works on every OS and never needs a socket (sockets may be
refused, as the tests refuse them).
"""

from __future__ import annotations

import os
import pickle
import struct
from typing import Any

_LENGTH = struct.Struct("!Q")
_MOST_PER_READ = 1 << 20


def write_message(descriptor: int, message: Any) -> None:
    """Send `message` whole; raises OSError when the other end is gone."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(descriptor, _LENGTH.pack(len(data)))
    _write_all(descriptor, data)


def read_message(descriptor: int) -> bytes | None:
    """The next message's pickle (for `pickle.loads`), or None at the end of the pipe (the
    writer closed it or is gone, also when it went in the middle of a message)."""
    header = _read_exactly(descriptor, _LENGTH.size)
    if header is None:
        return None
    return _read_exactly(descriptor, _LENGTH.unpack(header)[0])


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _read_exactly(descriptor: int, size: int) -> bytes | None:
    chunks = []
    left = size
    while left:
        chunk = os.read(descriptor, min(left, _MOST_PER_READ))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
