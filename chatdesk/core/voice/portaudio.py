"""PortAudio (through sounddevice): loaded, its list of devices kept fresh, and the streams
chatdesk has open on it.

PortAudio lists the devices once, when it starts: a microphone plugged in afterwards, or an
audio server that started after chatdesk (PipeWire after login, PulseAudio restarted), is not
in its list, and a recording from it would say there is no such microphone. `devices()`
starts PortAudio again for a fresh list when no stream of chatdesk's is open (starting it
again would close them), else gives the list it has: for Preferences' lists, and for a
recording whose microphone the last list lacks. Streams are opened with `opened()` and
closed with `closed()`, which count them; a lock keeps a fresh start from crossing an opening
on another thread.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

_lock = threading.Lock()
_open = 0  # streams opened with opened() and not yet closed()


def load(missing: Exception) -> ModuleType:
    """sounddevice, which loads PortAudio as it is imported; `missing` (what the caller would
    tell the user) is raised when PortAudio is not on this computer."""
    try:
        return importlib.import_module("sounddevice")
    except OSError:
        raise missing from None


def devices(sounddevice: ModuleType, *, fresh: bool = True) -> list[dict[str, Any]]:
    """Every device PortAudio sees: afresh when `fresh` and no stream is open, else as it
    listed them last (a fresh list costs PortAudio's start: tens of milliseconds)."""
    with _lock:
        if fresh and _open == 0:
            sounddevice._terminate()
            sounddevice._initialize()
        return [dict(device) for device in sounddevice.query_devices()]


def opened(make: Callable[[], Any]) -> Any:
    """The stream `make()` opens and starts, counted as open."""
    global _open
    with _lock:
        stream = make()
        _open += 1
    return stream


def closed(stream: Any) -> None:
    """Abort and close a stream `opened()` gave."""
    global _open
    try:
        stream.abort(ignore_errors=True)
        stream.close(ignore_errors=True)
    finally:
        with _lock:
            _open -= 1
