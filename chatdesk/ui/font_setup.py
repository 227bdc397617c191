"""Fontconfig's set-up, begun on a thread of its own as the window starts (Linux and the BSDs).

The window's first text makes Qt read the system's font list, which Qt reads through fontconfig
there. Fontconfig's first use parses its configuration files and maps its font caches: ~4 ms
on a two-core machine with ~130 fonts, more with more fonts, all of it in C. So the window's
start begins it on a thread of its own before it imports PySide6 and its own modules: `ctypes`
lets go of the GIL for the call, the imports go on on the other core, and Qt's own call later
finds fontconfig set up. Fontconfig makes its configuration once for the whole process (its
threads race to publish it with an atomic compare-and-swap), so the two calls cannot clash.

Windows and macOS have no fontconfig (Qt uses the system's font service): nothing is begun.
Nor where the library cannot be loaded; Qt then has none to use either.

Nothing of Qt is imported here: this runs before PySide6 is.
"""

from __future__ import annotations

import sys
import threading

LIBRARY = "libfontconfig.so.1"  # the name its ABI has had since 2.0, as Qt links it
THREAD_NAME = "chatdesk-font-setup"
_begun: list[threading.Thread] = []


def begin(platform: str = sys.platform) -> threading.Thread | None:
    """Start setting fontconfig up on a thread of its own, once a process (again: the same
    thread); None on a `platform` without fontconfig."""
    if platform in ("win32", "darwin"):
        return None
    if not _begun:
        _begun.append(threading.Thread(target=_set_up, name=THREAD_NAME, daemon=True))
        _begun[0].start()
    return _begun[0]


def _set_up() -> None:
    import ctypes  # ~1 ms, paid once: chatdesk.ui.qt_workarounds needs it as well

    try:
        library = ctypes.CDLL(LIBRARY)
    except OSError:  # no fontconfig: nothing to set up ahead of Qt
        return
    library.FcInit()
