"""Run the real `chatdesk` command in a subprocess, as a user would."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any


def chatdesk(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The command run as a user runs it: its own process, its stdin (none: empty), its output
    captured, the test's environment with `env` over it. Forked from a warm interpreter where one
    can be (tests/e2e/warm.py), else started afresh."""
    argv = [sys.executable, "-m", "chatdesk", *args]
    environment = {**os.environ, **(env or {})}
    if can_warm(environment):
        code, out, err = _warm.run(list(args), environment, stdin, timeout)
    else:
        result = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=timeout, env=environment, check=False
        )
        code, out, err = result.returncode, result.stdout, result.stderr
    return subprocess.CompletedProcess(
        argv, code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


# What an interpreter reads once, at its start: a command asked to run with other values of
# these than the warm interpreter started with is started afresh, so it reads them. CPython's
# own are PYTHON and a letter (PYTHONPATH, PYTHONUTF8…) and, since 3.13, a few PYTHON_ ones;
# other PYTHON_ names belong to libraries that read them when used (PYTHON_KEYRING_BACKEND,
# which every test sets: tests/conftest.py).
_LOCALE = ("LANG", "LC_")
_PYTHON_UNDERSCORED = {"PYTHON_CPU_COUNT", "PYTHON_FROZEN_MODULES", "PYTHON_GIL", "PYTHON_PRESITE"}
COLD = "CHATDESK_TEST_COLD"  # set (to anything but empty): every command started afresh


@dataclass
class Started:
    """A command still running (`started`): its `pid`, its `stdout` read as it comes, what it
    has said on stderr so far (`said()`); `wait(timeout)` gives its exit code, or a negative
    signal number, as `subprocess.Popen.wait` does; `kill()` sends it SIGKILL unless it ended."""

    pid: int
    stdout: IO[bytes]
    wait: Callable[[float], int]
    said: Callable[[], str]
    kill: Callable[[], None]


@contextmanager
def started(*args: str, env: dict[str, str] | None = None) -> Iterator[Started]:
    """The command started as `chatdesk()` starts it (its stdin empty, its stderr kept), for a
    test that acts while it runs: reads its output as it streams, kills it. Killed, if still
    running, when the block ends."""
    environment = {**os.environ, **(env or {})}
    if can_warm(environment):
        with _warm.started(list(args), environment) as running:
            yield running
        return
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "chatdesk", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=environment,
        )
        assert process.stdout is not None

        def said() -> str:
            stderr.seek(0)
            return stderr.read().decode("utf-8", "replace")

        try:
            yield Started(process.pid, process.stdout, process.wait, said, process.kill)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()


def read_at_start(name: str) -> bool:
    """Whether the interpreter reads the environment variable `name` only as it starts."""
    if name.startswith(_LOCALE) or name in _PYTHON_UNDERSCORED:
        return True
    return name.startswith("PYTHON") and not name.startswith("PYTHON_")


def can_warm(environment: dict[str, str]) -> bool:
    """Whether a command given `environment` is forked from the warm interpreter."""
    if not hasattr(os, "fork") or sys.platform == "win32" or os.environ.get(COLD):
        return False
    return all(
        environment.get(name) == _STARTED_WITH.get(name)
        for name in {*environment, *_STARTED_WITH}
        if read_at_start(name)
    )


class _Warm:
    """The warm interpreter of this test process (tests/e2e/warm.py), started on first use."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._folder = ""

    def run(
        self, args: list[str], env: dict[str, str], stdin: bytes | None, timeout: float
    ) -> tuple[int, bytes, bytes]:
        folder = Path(tempfile.mkdtemp(prefix="chatdesk-run-"))
        try:
            paths = {name: folder / name for name in ("stdin", "stdout", "stderr")}
            for path in paths.values():
                path.touch()
            if stdin is not None:
                paths["stdin"].write_bytes(stdin)
            request = {
                "argv": args,
                "env": env,
                "cwd": os.getcwd(),
                "stdin": str(paths["stdin"]) if stdin is not None else None,
                "stdout": str(paths["stdout"]),
                "stderr": str(paths["stderr"]),
            }
            code = self._ask(request, timeout)
            return code, paths["stdout"].read_bytes(), paths["stderr"].read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _ask(self, request: dict[str, Any], timeout: float) -> int:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(self._address())
            connection.sendall(json.dumps(request).encode() + b"\n")
            answers = _Lines(connection)
            pid = int(answers.next(timeout).split()[1])
            try:
                return _exit_code(answers.next(timeout))
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)  # as subprocess.run does on a timeout
                raise subprocess.TimeoutExpired(request["argv"], timeout) from None

    @contextmanager
    def started(self, args: list[str], env: dict[str, str]) -> Iterator[Started]:
        """As `run`, but its stdout a FIFO the caller reads while the command runs."""
        folder = Path(tempfile.mkdtemp(prefix="chatdesk-run-"))
        fifo, stderr = folder / "stdout", folder / "stderr"
        os.mkfifo(fifo)
        stderr.touch()
        # Open for reading first, without waiting for a writer: the monitor's open for writing
        # then returns at once, and once it says the pid the command holds the other end.
        reading = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        request = {
            "argv": args,
            "env": env,
            "cwd": os.getcwd(),
            "stdin": None,
            "stdout": str(fifo),
            "stderr": str(stderr),
        }
        connection = socket.socket(socket.AF_UNIX)
        try:
            connection.connect(self._address())
            connection.sendall(json.dumps(request).encode() + b"\n")
            answers = _Lines(connection)
            pid = int(answers.next(60).split()[1])
            os.set_blocking(reading, True)
            stdout = os.fdopen(reading, "rb", buffering=0)
            reading = -1
            ended: list[int] = []

            def wait(timeout: float) -> int:
                if not ended:
                    try:
                        ended.append(_exit_code(answers.next(timeout)))
                    except TimeoutError:
                        raise subprocess.TimeoutExpired(args, timeout) from None
                return ended[0]

            def kill() -> None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    wait(0)  # it may have ended: its pid is then no longer its own
                if not ended:
                    with contextlib.suppress(ProcessLookupError):  # ended since
                        os.kill(pid, signal.SIGKILL)

            try:
                yield Started(pid, stdout, wait, lambda: stderr.read_text("utf-8", "replace"), kill)
            finally:
                kill()
                wait(60)
                stdout.close()
        finally:
            if reading != -1:
                os.close(reading)
            connection.close()
            shutil.rmtree(folder, ignore_errors=True)

    def _address(self) -> str:
        if self._process is None or self._process.poll() is not None:
            self._folder = tempfile.mkdtemp(prefix="chatdesk-warm-")
            address = os.path.join(self._folder, "socket")
            with socket.socket(socket.AF_UNIX) as listener:
                listener.bind(address)
                listener.listen(16)
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "tests.e2e.warm", str(listener.fileno())],
                    stdin=subprocess.PIPE,
                    env=_STARTED_WITH,
                    pass_fds=[listener.fileno()],
                    cwd=_ROOT,
                )
            atexit.register(self._stop)
        return os.path.join(self._folder, "socket")

    def _stop(self) -> None:
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.close()  # its lifeline: it stops
            self._process.wait(timeout=60)
        shutil.rmtree(self._folder, ignore_errors=True)


class _Lines:
    """The lines a warm monitor says on `connection`, each waited for at most `timeout`."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._buffer = b""

    def next(self, timeout: float) -> bytes:
        """The next line; TimeoutError when none came in time (the line is not lost)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if not select.select([self._connection], [], [], max(left, 0.0))[0]:
                raise TimeoutError
            got = self._connection.recv(4096)
            if not got:
                break
            self._buffer += got
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line


def _exit_code(said: bytes) -> int:
    if not said.startswith(b"exit "):
        raise RuntimeError(f"the warm chatdesk lost the command: {said!r}")
    return int(said.split()[1])


_STARTED_WITH = dict(os.environ)  # before any test changes it
_ROOT = Path(__file__).resolve().parents[2]
_warm = _Warm()


def on_a_terminal(
    *args: str, env: dict[str, str] | None = None, python: str | None = None
) -> tuple[int, bytes]:
    """Run `chatdesk *args` (or, with `python`, that Python program) with stdout and stderr on
    a new pseudo-terminal (POSIX only), the test's environment with `env` over it; its exit
    code and what the terminal was given."""
    import pty

    leader, follower = pty.openpty()
    program = ["-m", "chatdesk", *args] if python is None else ["-c", python, *args]
    process = subprocess.Popen(
        [sys.executable, *program],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, **(env or {})},
    )
    os.close(follower)
    shown_bytes = bytearray()
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal's other end closed: the process has ended
            break
        if not data:
            break
        shown_bytes += data
    os.close(leader)
    return process.wait(timeout=60), bytes(shown_bytes)


def chatdesk_json(*args: str) -> Any:
    result = chatdesk(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def rows(database: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


API_KEY = "cdk-e2e-key"
_ADDRESS = re.compile(r"http://(127\.0\.0\.1:\d+)/v1")


@dataclass
class Headless:
    """A `chatdesk serve` running: its `host:port`; once stopped, its exit code and stderr."""

    address: str
    returncode: int | None = None
    said: list[str] = field(default_factory=list)  # its stderr, line by line


@contextmanager
def headless_api(key: str = API_KEY) -> Iterator[Headless]:
    """`chatdesk serve` on a port of its own, the key given by CHATDESK_API_KEY; stopped at the
    end as Ctrl+C stops it (terminated on Windows)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "CHATDESK_API_KEY": key},
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first line names the address
    found = _ADDRESS.search(first)
    running = Headless(found[1] if found else "", said=[first])
    try:
        assert found, first
        yield running
    finally:
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)
        running.returncode = process.wait(timeout=60)
        running.said.extend(process.stderr.read().splitlines())
        process.stderr.close()
    assert not any("Traceback" in line for line in running.said), running.said
