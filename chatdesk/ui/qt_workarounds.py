"""Work-arounds for defects of the Qt bindings that chatdesk cannot fix upstream.

PySide6 6.12 on CPython 3.11 drops references to singletons it never took:
- one to `None` on every call of a Qt method that returns nothing
  (`QObject().setObjectName("x")` in a loop aborts with "none_dealloc" after ~5,000 calls);
- one to `True` on every `Signal.emit()` (1,000 emits abort with "bool_dealloc"; qasync emits
  once per result from a worker thread, so a long session would hit it).
From CPython 3.12 on these objects are immortal and the lost references do no harm. On 3.11 we
give `None`, `True` and `False` reference counts so large that the leaks cannot reach zero in
any session: they are never freed anyway, so the extra count changes nothing else.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import importlib
import sys
from collections.abc import Iterator

_RESERVE = 1 << 40  # a million leaks per second would take 35 years to use it up
_SINGLETONS = (None, True, False)


def protect_singleton_refcounts() -> bool:
    """Apply the reserve once (where needed); True when it was applied now."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    applied = False
    for singleton in _SINGLETONS:
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt: PyObject's first field
        if count.value < _RESERVE:
            count.value += _RESERVE
            applied = True
    return applied


@contextlib.contextmanager
def python_imports() -> Iterator[None]:
    """Import with Python's own machinery for a while, not PySide6's hook.

    PySide6 replaces `builtins.__import__` with a hook (for its `__feature__` switches, which
    chatdesk does not use) that keeps the source text of every module imported through it in
    `linecache`: importing the core that way costs ~20 MB more than before PySide6 loaded.
    """
    hooked = builtins.__import__
    builtins.__import__ = importlib.__import__
    try:
        yield
    finally:
        builtins.__import__ = hooked
