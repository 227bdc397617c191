"""The start of every child process `children.py` starts, in the child: it takes the pipes,
arranges to die with the parent and runs the child's `serve(requests, replies)`.

It imports only the standard library's lightest parts, so a child costs its interpreter and
what its `serve` needs: no multiprocessing, no asyncio, nothing of the window.

The parent talks over the child's standard input and output; both are moved to descriptors of
their own at once, and the standard ones pointed at the null device, so that a library writing
to standard output, or a program the child starts, cannot break into the conversation. Requests
are read on a thread: it sees the end of the pipe the moment the parent is gone (killed outright
included: the system closes its end), whatever `serve` is doing, and ends the child then.
"""

from __future__ import annotations

import importlib
import os
import pickle
import queue
import signal
import sys
import threading
from typing import Any

from chatdesk.core.trust.frames import read_message, write_message

# The argument a frozen chatdesk is started with to become a child (packaging/chatdesk_main.py).
CHILD_FLAG = "--chatdesk-child"


class Requests:
    """The parent's requests, in order. `recv` blocks until the next one."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor
        self._arrived: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        threading.Thread(target=self._read, name="chatdesk-requests", daemon=True).start()

    def recv(self) -> Any:
        return pickle.loads(self._arrived.get())

    def _read(self) -> None:
        while (message := read_message(self._descriptor)) is not None:
            self._arrived.put(message)
        os._exit(0)  # the parent closed its end or is gone: nobody is left to answer


class Replies:
    """Answers to the parent. `send` raises OSError when the parent is gone."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor

    def send(self, message: Any) -> None:
        write_message(self._descriptor, message)


def main(arguments: list[str]) -> None:
    """Run the child: `arguments` are its name, its serve function ("module:name"), the
    parent's process id and the import path to use (children.py makes them)."""
    _name, target, parent, *path = arguments
    sys.path[:] = path  # before anything is imported by name: never the working directory
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    requests, replies = _take_pipes()
    if sys.platform == "linux":
        _kernel_kills_orphan(int(parent))
    watched = Requests(requests)  # from here on, the child ends when the parent goes
    from chatdesk.core import i18n

    i18n.follow_parent()  # the words it writes (a code block's head, a file's notes)
    module, _, name = target.partition(":")
    serve = getattr(importlib.import_module(module), name)
    serve(watched, Replies(replies))


def _take_pipes() -> tuple[int, int]:
    """The pipes from and to the parent, as descriptors of their own; standard input and
    output become the null device (and `print` goes to standard error)."""
    requests, replies = os.dup(0), os.dup(1)  # new descriptors are not inherited
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdout = sys.stderr
    return requests, replies


def _kernel_kills_orphan(parent: int) -> None:
    """Linux: SIGKILL this process when its parent dies, even while a C call holds the GIL
    (the thread reading the requests needs the GIL to notice)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the call
        os._exit(0)
