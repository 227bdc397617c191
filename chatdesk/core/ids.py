"""Time-ordered, client-generated ids (UUIDv7, RFC 9562).

Ids are made on the client so that rows can be created offline and merged with a team later
without collisions, and they sort by creation time so that "newest first" is an index scan.
Within one millisecond a 12-bit counter keeps ids from this process strictly increasing.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # leave room to count up
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def id_time_ms(value: uuid.UUID) -> int:
    """Milliseconds since the epoch encoded in a UUIDv7."""
    return value.int >> 80
