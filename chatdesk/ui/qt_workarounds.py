"""Work-arounds for defects of the Qt bindings that chatdesk cannot fix upstream.

PySide6 6.12 on CPython 3.11 drops one reference to `None` on every call of a Qt method that
returns nothing (`QObject().setObjectName("x")` in a loop aborts the interpreter with
"none_dealloc" after about 5,000 calls). From CPython 3.12 on, `None` is immortal and the lost
references do no harm. On 3.11 we give `None` a reference count so large that the leak cannot
reach zero in any session: `None` is never freed anyway, so the extra count changes nothing else.
"""

from __future__ import annotations

import ctypes
import sys

_RESERVE = 1 << 40  # a million calls per second would take 35 years to use it up


def protect_none_refcount() -> bool:
    """Apply the reserve once (where needed); True when it was applied now."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    count = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if count.value >= _RESERVE:
        return False
    count.value += _RESERVE
    return True
