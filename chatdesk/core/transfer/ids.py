"""Ids for rows that come from another app's export: the same source gives the same id.

They have the shape of chatdesk's own ids (UUIDv7): the time field holds when the source says
the thing was made, so threads and branches sort by time like any others; the other 74 bits
come from a hash of the source's own id. Importing an export twice therefore finds the rows
of the first import by id, without a column to remember where a row came from.
"""

from __future__ import annotations

import hashlib
import math
import uuid

_MAX_MS = (1 << 48) - 1


def derived_id(ms: int, *source_key: str) -> uuid.UUID:
    """A UUIDv7 whose time is `ms` (clamped to the field) and whose random bits are a hash
    of `source_key`."""
    digest = hashlib.sha256("\x1f".join(source_key).encode("utf-8")).digest()
    bits = int.from_bytes(digest[:10], "big")  # 80 bits, 74 of them used
    rand_a = bits >> 68 & 0xFFF
    rand_b = bits & ((1 << 62) - 1)
    value = min(max(ms, 0), _MAX_MS) << 80
    value |= 0x7 << 76
    value |= rand_a << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def to_ms(seconds: float | None) -> int | None:
    """Unix seconds (as exports write them) in whole milliseconds; None for a missing or
    unusable value."""
    if seconds is None or isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(int(seconds * 1000), _MAX_MS)
