"""Work-arounds for defects of the Qt bindings that chatdesk cannot fix upstream.

PySide6 6.12 on CPython 3.11 drops references to singletons it never took:
- one to `None` on every call of a Qt method that returns nothing
  (`QObject().setObjectName("x")` in a loop aborts with "none_dealloc" after ~5,000 calls);
- one to `True` on every `Signal.emit()` (1,000 emits abort with "bool_dealloc"; qasync emits
  once per result from a worker thread, so a long session would hit it).
From CPython 3.12 on these objects are immortal and the lost references do no harm. On 3.11 we
give `None`, `True` and `False` reference counts so large that the leaks cannot reach zero in
any session: they are never freed anyway, so the extra count changes nothing else.

PySide6 also takes over Python's `import` for a feature chatdesk does not use (`import_pyside`).
"""

from __future__ import annotations

import builtins
import ctypes
import importlib
import sys

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


def import_pyside() -> None:
    """Import PySide6, then import with Python's own machinery for the rest of the process.

    PySide6 replaces `builtins.__import__` with a hook for its `__feature__` switches, which
    chatdesk does not use. The hook reads the source of every module imported through it and
    keeps the text in `linecache` (~0.1 ms a module, and ~5 MB for the core's modules and the
    standard library's), so it is set aside once, right after PySide6 is first imported. The
    import it wrapped (PySide6 keeps it as `builtins.__orig_import__`) stays in place.
    """
    import PySide6.QtWidgets  # noqa: F401  (installs the hook)

    hook = builtins.__import__
    if getattr(hook, "__name__", "") == "__feature_import__":
        builtins.__import__ = getattr(builtins, "__orig_import__", importlib.__import__)
