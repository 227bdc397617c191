"""`importlib.metadata` loaded when it is first used, not when SQLAlchemy is imported.

SQLAlchemy imports `importlib.metadata` as it loads (`sqlalchemy/util/compat.py` and
`langhelpers.py`), for entry-point plugins and the versions of drivers chatdesk never asks
for; loading it brings `email`, `csv`, `importlib.abc` and `importlib.resources`, 30 modules
and 2.9 MB held for the whole run (decision 0081). `defer()` puts in its place the module
itself, not yet run: importing it costs nothing, and the first name read from it (`version`,
`entry_points`, `PackageNotFoundError` …) runs the real module's code in that module object,
which from then on is the real module: the same functions, classes and errors as an ordinary
import, for every caller.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

NAME = "importlib.metadata"
_lock = threading.RLock()
_running = threading.local()  # set on the thread running the module's code


class _NotRunYet(types.ModuleType):
    """`importlib.metadata` until a name is first read from it."""

    def __getattr__(self, name: str) -> object:
        # Only for names the module does not hold: its dunders (__spec__, __path__ …), which
        # the import system reads, are there from the start, so importing it runs nothing.
        with _lock:
            if type(self) is _NotRunYet and not getattr(_running, "now", False):
                _run(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {NAME!r} has no attribute {name!r}") from None


def _run(module: types.ModuleType) -> None:
    spec = module.__spec__
    assert spec is not None
    assert spec.loader is not None
    _running.now = True
    try:
        spec.loader.exec_module(module)
    finally:
        _running.now = False
    module.__class__ = types.ModuleType


def defer() -> None:
    """From now on, `importlib.metadata` runs when first used; nothing if it is loaded."""
    if NAME in sys.modules:
        return
    spec = importlib.util.find_spec(NAME)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)  # its dunders set, its code not run
    module.__class__ = _NotRunYet
    if sys.modules.setdefault(NAME, module) is module:  # not imported meanwhile by a thread
        importlib.metadata = module  # as an import sets it


def deferred() -> bool:
    """Whether `importlib.metadata` is loaded and has not been used yet."""
    return type(sys.modules.get(NAME)) is _NotRunYet
