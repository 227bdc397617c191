"""The one supervisor of chatdesk's child processes (the render worker, the token counter, the
reading child, and any later helper).

Work that can hang, crash or hold the GIL runs in a child that can be killed. Every child:

- is a new interpreter, never a fork (forking a process that runs Qt threads is unsafe): this
  Python started as `python -I -c …` (a frozen chatdesk: its own executable with `CHILD_FLAG`),
  which runs `child_entry.main` and then the child's `serve(requests, replies)`. Isolated mode
  keeps the working directory off the new interpreter's path and ignores the user's PYTHON*
  settings; the child then takes the parent's import path without the entries that follow the
  working directory (`_child_path`) before it imports anything of chatdesk's, so a folder
  holding a `tiktoken/` or `pygments/` package (or any module a child imports) is never run
  inside chatdesk. Starting the interpreter ourselves, rather than through multiprocessing,
  also spares a process: multiprocessing's "spawn" starts a resource tracker (~12 MB) beside
  the first child on Linux and macOS, for semaphores and shared memory chatdesk never uses;
- gets only the environment variables it needs (environment.py): never the API keys and
  passwords of the shell chatdesk was started from, since it handles untrusted content;
- is started from one long-lived thread (`_Launcher`), whichever thread asks for it;
- talks over its standard input and output, moved aside in the child (child_entry.py) and
  framed as pickles (frames.py): pipes, so it works where sockets are refused. It sends one
  message once its imports are done (`wait_ready`, bounded), then answers each request, a tuple
  numbered by its first item, with a tuple that starts with the same number; an answer to a
  request the parent gave up on is skipped. Its answers are read here by a thread of its own,
  so a wait is bounded the same way on every OS;
- is killed when it does not answer in time (`ChildFailed`), and the caller falls back and may
  start a new one;
- goes when the parent goes: `stop` kills and reaps it, a child object dropped without `stop`
  kills it, and a child whose parent died (even by SIGKILL) exits by itself: its thread reading
  the requests meets the end of the pipe (every OS), and on Linux the kernel also kills it
  (`PR_SET_PDEATHSIG`) should it be stuck in C code holding the GIL.

`pebble` and similar pools were weighed (decision 0021): they add a dependency for what is ~200
lines here, start their workers through multiprocessing (its resource tracker, and the working
directory on the path), leave orphans behind, and their pools of interchangeable workers fit
neither child, which each keep state (loaded encodings, the math library) between requests.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

from chatdesk.core.trust.child_entry import CHILD_FLAG, Replies, Requests
from chatdesk.core.trust.environment import child_environment
from chatdesk.core.trust.frames import read_message, write_message

READY_TIMEOUT = 30.0  # starting the interpreter and importing; generous for a loaded machine
STOP_TIMEOUT = 5.0

# serve(requests, replies) runs in the child: send one "ready" message, then answer requests.
# It must be a module-level function of an importable module (the child imports it by name).
Serve = Callable[[Requests, Replies], None]

# The folder chatdesk's own package is imported from (a checkout, site-packages, the frozen
# bundle): on the child's path even when it is the working directory.
_HOME = Path(__file__).resolve().parents[3]

# What `python -I -c` runs: the path first, so that chatdesk is found where the parent found it.
_BOOTSTRAP = (
    "import sys; sys.path[:] = sys.argv[4:]; "
    "from chatdesk.core.trust.child_entry import main; main(sys.argv[1:])"
)
_ENDED = b""  # put on a child's answer queue when its pipe ends (no message is empty)


class ChildFailed(Exception):
    """The child did not start, died, or did not answer in time; it has been killed."""

    def __init__(self, reason: str, *, timed_out: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class Child:
    """One child process and this process's ends of its pipes. `pid`, `is_alive` and `kill`
    may be called from any thread; the rest from one thread at a time (the owner's).

    Raises ChildFailed when no process could be started (no executable, no process left)."""

    def __init__(self, name: str, serve: Serve, *, ready_timeout: float = READY_TIMEOUT) -> None:
        command, environment = _command(name, _target(serve))
        try:
            self._process = _launcher.start(command, environment)
        except OSError as error:
            raise ChildFailed(f"it could not be started ({error})", timed_out=False) from error
        requests, answers = self._process.stdin, self._process.stdout
        assert requests is not None
        assert answers is not None
        self._requests = requests
        self._answers: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._reader = threading.Thread(
            target=_read_answers,
            args=(answers, self._answers),
            name=f"{name}-answers",
            daemon=True,
        )
        self._reader.start()
        self._ended = False
        self._ready_timeout = ready_timeout
        self._ready = False
        # Dropped without `stop` (an owner nobody closed): the child goes with it.
        self._finalizer = weakref.finalize(self, _end, self._process)

    @property
    def pid(self) -> int:
        return self._process.pid

    def is_alive(self) -> bool:
        return self._process.poll() is None

    def kill(self) -> None:
        _kill(self._process)

    def wait_ready(self) -> None:
        """Until the child has done its imports; killed past `ready_timeout`."""
        if not self._ready:
            self._receive(time.monotonic() + self._ready_timeout)
            self._ready = True

    def ask(self, request: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        """Send `request` (its first item a number) and return the rest of the answer to it
        within `timeout` seconds, once the child is ready (`wait_ready`, its own bound)."""
        self.wait_ready()  # else the ready message would be taken for a late answer, and lost
        deadline = time.monotonic() + timeout
        try:
            write_message(self._requests.fileno(), request)
        except (OSError, ValueError) as error:  # the child is gone, or this end was closed
            raise ChildFailed("it has exited", timed_out=False) from error
        while True:
            reply = self._receive(deadline)
            if reply[0] == request[0]:  # earlier numbers answer requests given up on
                return tuple(reply[1:])

    def _receive(self, deadline: float) -> Any:
        if self._ended:
            raise ChildFailed("it has exited", timed_out=False)
        try:
            message = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            self.kill()  # here, not by the caller: the caller may have been cancelled
            raise ChildFailed("it did not answer in time", timed_out=True) from None
        if message == _ENDED:
            self._ended = True
            raise ChildFailed("it has exited", timed_out=False)
        return pickle.loads(message)

    def stop(self) -> None:
        """End the child (it holds nothing worth a graceful exit) and reap it."""
        self._finalizer.detach()
        _end(self._process)
        self._reader.join(timeout=STOP_TIMEOUT)  # it closes the answers' end


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):  # already gone
        process.kill()  # a no-op once the child has been waited for


def _end(process: subprocess.Popen[bytes]) -> None:
    """Kill and reap the child, and close the requests' end (the answers' end is closed by
    the thread reading it, once the child is gone)."""
    _kill(process)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()


def _read_answers(answers: IO[bytes], arrived: queue.SimpleQueue[bytes]) -> None:
    """The child's answers as they come; `_ENDED` when its end of the pipe closes."""
    try:
        while (message := read_message(answers.fileno())) is not None:
            arrived.put(message)
    except (OSError, ValueError):  # closed under this thread: the child is being stopped
        pass
    finally:
        arrived.put(_ENDED)
        answers.close()


class _Launcher:
    """Starts every child from one daemon thread that lives as long as chatdesk.

    On Linux the parent-death signal follows the *thread* that started a child, not the
    process: a child started from a worker thread that later ends would be killed with it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._starts: queue.SimpleQueue[
            tuple[list[str], dict[str, str], Future[subprocess.Popen[bytes]]]
        ] = queue.SimpleQueue()

    def start(self, command: list[str], environment: dict[str, str]) -> subprocess.Popen[bytes]:
        """The child started by the launcher thread; raises what starting it raised."""
        started: Future[subprocess.Popen[bytes]] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="chatdesk-child-launcher", daemon=True
                )
                self._thread.start()
        self._starts.put((command, environment, started))
        return started.result()

    def _run(self) -> None:
        while True:
            command, environment, started = self._starts.get()
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    # no console of its own to write to (a windowed app): nowhere
                    stderr=None if sys.stderr is not None else subprocess.DEVNULL,
                    env=environment,
                    close_fds=True,
                    bufsize=0,
                )
            except BaseException as error:  # the caller waits for this start, whatever ended it
                started.set_exception(error)
            else:
                started.set_result(process)


_launcher = _Launcher()


def _target(serve: Serve) -> str:
    """`serve` as the child imports it: "module:name"."""
    module, name = serve.__module__, serve.__qualname__
    if module == "__main__" or "." in name:
        raise ValueError(f"{module}.{name} cannot be imported by name in a child")
    return f"{module}:{name}"


def _command(name: str, target: str) -> tuple[list[str], dict[str, str]]:
    """The command that starts the child, and its environment (environment.py)."""
    arguments = [name, target, str(os.getpid()), *_child_path()]
    given: dict[str, str] = {}
    if getattr(sys, "frozen", False):
        command = [sys.executable, CHILD_FLAG, *arguments]
    else:
        executable = sys.executable
        base = getattr(sys, "_base_executable", executable)
        if sys.platform == "win32" and os.path.normcase(base) != os.path.normcase(executable):
            # A venv's python.exe on Windows is a launcher that runs the real interpreter as a
            # process of its own, which a kill would miss: start the real one, told which venv
            # it serves (as multiprocessing does).
            executable, given = base, {"__PYVENV_LAUNCHER__": sys.executable}
        command = [executable, "-I", "-c", _BOOTSTRAP, *arguments]
    return command, child_environment(os.environ, sys.platform, chatdesk=True, given=given)


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
