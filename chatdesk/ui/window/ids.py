"""Ids handed over by a signal. Qt gives Python values to a slot as `object`, and a menu
entry's `triggered` gives its `checked` flag (False) where a sidebar command gives an id:
`is_id` tells them apart. `uuid` is imported on the first call, which comes after the window's
first paint: with `platform`, which it loads on Linux, it costs ~4 ms."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    import uuid


def is_id(value: object) -> TypeGuard[uuid.UUID]:
    import uuid

    return isinstance(value, uuid.UUID)
