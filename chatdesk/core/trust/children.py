"""The one supervisor of chatdesk's child processes (the render worker, the token counter, and
any later helper such as document extraction).

Work that can hang, crash or hold the GIL runs in a child that can be killed. Every child:

- is started with multiprocessing's "spawn" (forking a process that runs Qt threads is unsafe)
  so that nothing in the working directory is imported into it. Spawn starts `python -c …`,
  which would put the working directory first on the new interpreter's path, so a folder holding
  a `multiprocessing/` package (or another module the child imports early) would run its code
  inside chatdesk: the child is started with `PYTHONSAFEPATH` set, for that one start only (a
  program chatdesk runs later gets the user's environment as it was). Spawn then gives the child
  the parent's import path, which holds `''` or the working directory when chatdesk was started
  with `python -c` or `python -m`: the child drops those (`_child_path`) before its own code
  imports anything the parent has not already imported. The frozen desktop build starts its own
  executable, whose path never holds the working directory, and goes through the same filter;
- is started from one long-lived thread (`_Launcher`), whichever thread asks for it;
- talks over two one-way pipes: it sends one message once its imports are done (`wait_ready`,
  bounded), then answers each request, a tuple numbered by its first item, with a tuple that
  starts with the same number; an answer to a request the parent gave up on is skipped;
- is killed when it does not answer in time (`ChildFailed`), and the caller falls back and may
  start a new one;
- goes when the parent goes: `stop` kills and reaps it, a child object dropped without `stop`
  kills it, and a child whose parent died (even by SIGKILL) exits by itself — it watches the
  parent's sentinel on a thread (every OS), and on Linux the kernel also kills it
  (`PR_SET_PDEATHSIG`) should it be stuck in C code holding the GIL.

`pebble` and similar pools were weighed (decision 0021): they add a dependency for what is ~200
lines here, start their workers through multiprocessing the same way (so the working-directory
problem stays ours), leave orphans behind, and their pools of interchangeable workers fit neither
child, which each keep state (loaded encodings, the math library) between requests.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

log = logging.getLogger("chatdesk.children")

READY_TIMEOUT = 30.0  # starting the interpreter and importing; generous for a loaded machine
STOP_TIMEOUT = 5.0

# serve(requests, replies) runs in the child: send one "ready" message, then answer requests
# until `requests` reaches end-of-file. It must be a module-level function (it is pickled).
Serve = Callable[[Connection, Connection], None]

# The folder chatdesk's own package is imported from (a checkout, site-packages, the frozen
# bundle): on the child's path even when it is the working directory.
_HOME = Path(__file__).resolve().parents[2]


class ChildFailed(Exception):
    """The child did not start, died, or did not answer in time; it has been killed."""

    def __init__(self, reason: str, *, timed_out: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class Child:
    """One child process and this process's ends of its pipes. `pid`, `is_alive` and `kill`
    may be called from any thread; the rest from one thread at a time (the owner's).

    Two one-way pipes (`os.pipe`) rather than one two-way pipe (a socket pair): children must
    work where sockets are refused, as the tests refuse them."""

    def __init__(self, name: str, serve: Serve, *, ready_timeout: float = READY_TIMEOUT) -> None:
        context = multiprocessing.get_context("spawn")
        self._replies, reply_end = context.Pipe(duplex=False)
        request_end, self._requests = context.Pipe(duplex=False)
        self._process: SpawnProcess = context.Process(
            target=_child_main,
            args=(serve, _child_path(), request_end, reply_end),
            name=name,
            daemon=True,
        )
        self._ready_timeout = ready_timeout
        self._ready = False
        try:
            _launcher.start(self._process)
        finally:
            request_end.close()  # so that the child's death reads as end-of-file here
            reply_end.close()
        # Dropped without `stop` (an owner nobody closed): the child goes with it.
        self._finalizer = weakref.finalize(self, self._process.kill)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def is_alive(self) -> bool:
        with contextlib.suppress(ValueError):  # closed by another thread
            return self._process.is_alive()
        return False

    def kill(self) -> None:
        with contextlib.suppress(ValueError):  # already stopped and closed by another thread
            self._process.kill()  # a no-op once the child has been waited for

    def wait_ready(self) -> None:
        """Until the child has done its imports; killed past `ready_timeout`."""
        if not self._ready:
            self._receive(time.monotonic() + self._ready_timeout)
            self._ready = True

    def ask(self, request: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        """Send `request` (its first item a number) and return the rest of the answer to it."""
        deadline = time.monotonic() + timeout
        try:
            self._requests.send(request)
        except (OSError, ValueError) as error:  # the child is gone, or this end was closed
            raise ChildFailed("it has exited", timed_out=False) from error
        while True:
            reply = self._receive(deadline)
            if reply[0] == request[0]:  # earlier numbers answer requests given up on
                return tuple(reply[1:])

    def _receive(self, deadline: float) -> Any:
        try:
            if not self._replies.poll(max(0.0, deadline - time.monotonic())):
                self.kill()  # here, not by the caller: the caller may have been cancelled
                raise ChildFailed("it did not answer in time", timed_out=True)
            return self._replies.recv()
        except (EOFError, OSError, ValueError) as error:
            raise ChildFailed("it has exited", timed_out=False) from error

    def stop(self) -> None:
        """End the child (it holds nothing worth a graceful exit) and reap it."""
        self._finalizer.detach()
        self.kill()
        with contextlib.suppress(ValueError):
            self._process.join(timeout=STOP_TIMEOUT)
        self._requests.close()
        self._replies.close()
        with contextlib.suppress(ValueError):
            if self._process.exitcode is not None:
                self._process.close()


class _Launcher:
    """Starts every child from one daemon thread that lives as long as chatdesk.

    On Linux the parent-death signal follows the *thread* that started a child, not the
    process: a child started from a worker thread that later ends would be killed with it.
    Being the only thread that starts children also makes setting `PYTHONSAFEPATH` for the
    moment of a start safe from another start restoring it meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._starts: queue.SimpleQueue[tuple[SpawnProcess, Future[None]]] = queue.SimpleQueue()

    def start(self, process: SpawnProcess) -> None:
        """`process.start()`, done by the launcher thread; raises what it raised."""
        started: Future[None] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="chatdesk-child-launcher", daemon=True
                )
                self._thread.start()
        self._starts.put((process, started))
        started.result()

    def _run(self) -> None:
        while True:
            process, started = self._starts.get()
            try:
                with _safe_path():
                    process.start()
            except BaseException as error:  # the caller waits for this start, whatever ended it
                started.set_exception(error)
            else:
                started.set_result(None)


_launcher = _Launcher()


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """`PYTHONSAFEPATH` set while a child's interpreter starts (it reads it then), so that
    spawn's `python -c` does not put the working directory first on its path."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = before


def _child_path() -> list[str]:
    """This process's import path without the entries that follow the working directory: `''`
    and other relative entries (`python -c`) and the working directory itself (`python -m`, a
    script kept there), unless chatdesk itself is imported from there (a checkout)."""
    try:
        here: str | None = os.path.realpath(os.getcwd())
    except OSError:  # removed meanwhile: nothing can be imported from it
        here = None
    home = str(_HOME)
    path = []
    for entry in sys.path:
        relative = not os.path.isabs(entry)
        if relative and here is None:
            continue
        real = os.path.realpath(entry)  # a relative entry as seen from the working directory
        if real == home:
            path.append(real)
        elif not relative and real != here:
            path.append(entry)
    return path


# -- in the child --------------------------------------------------------------------------------


def _child_main(serve: Serve, path: list[str], requests: Connection, replies: Connection) -> None:
    # Until now the child has imported only modules the parent had imported too (its main
    # module, this one and `serve`'s), found through the parent's path; what `serve` imports
    # from here on must not come from the working directory.
    sys.path[:] = path
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    _die_with_parent()
    serve(requests, replies)


def _die_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if sys.platform == "linux":
        _kernel_kills_orphan(parent.pid)

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)  # the parent is gone: nobody is left to answer

    threading.Thread(target=watch, name="chatdesk-parent-watch", daemon=True).start()


def _kernel_kills_orphan(parent_pid: int | None) -> None:
    """Linux: SIGKILL this process when its parent dies, even while a C call holds the GIL."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        return
    if parent_pid is not None and os.getppid() != parent_pid:  # it died before the call
        os._exit(0)
