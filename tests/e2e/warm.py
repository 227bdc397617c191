"""A warm start for the `chatdesk` processes of the end-to-end tests (tests/e2e/cli.py).

Started once per test process, it imports the command line's modules and the core's once and
then forks a new process for each command a test runs. That process gets the test's arguments,
environment and working folder, and a stdin, stdout and stderr of its own. It runs `python -m
chatdesk` as a new interpreter would: from `chatdesk/__main__.py` to the interpreter's exit, its
`atexit` handlers and its threads joined. The command, its process, its exit code and its output
are the real ones. What the fork saves is the interpreter's start and the imports, most of a
command's second. The start itself is tested where it matters: the wheel and the desktop build
(`.ci/package-smoke`), the one-instance and start-up tests, and every test that starts
`chatdesk` with `subprocess` itself.

The protocol, one connection per command on the listening socket handed in as fd `argv[1]`:
the test sends one JSON line (`argv`, `env`, `cwd`, and the paths of the files for `stdin`,
`stdout` and `stderr`); the answer is the line `pid N`, then, when the command has exited, the
line `exit CODE` (negative: killed by that signal). The warm process stops when its stdin
closes, that is when the test process that started it is gone.

POSIX only (it forks); tests/e2e/cli.py starts each command afresh elsewhere.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import runpy
import select
import socket
import sys
import threading
from typing import Any

# What `python -m chatdesk` loads, then what opening the core loads (`chatdesk.app.build_core`),
# which nearly every command does; then the MCP SDK's client, which every command that talks to
# a tool server loads (`tools …`, `ask --tools`): about as long again as all the rest
PRELOADED = (
    "chatdesk.launch",
    "chatdesk.cli.main",
    "chatdesk.core.assembly",
    "chatdesk.core.maintenance",
    "chatdesk.core.store.backups",
    "chatdesk.core.store.opening",
    "chatdesk.core.providers.mock",
    "mcp",
    "mcp.client.session",
    "mcp.client.streamable_http",
    "mcp.shared.exceptions",
    "mcp_types",
)


def _preload() -> None:
    for name in PRELOADED:
        importlib.import_module(name)
    if threading.active_count() != 1:  # a fork copies only the thread that forks
        raise RuntimeError("importing the command line started a thread: it cannot be forked")
    gc.freeze()  # what the children share stays shared: the collector never writes to it


def _serve(listener: socket.socket) -> dict[str, Any] | None:
    """Forks a monitor per connection until stdin closes. Returns the request in the process
    that must run it, None in the warm process when it is time to stop."""
    while True:
        ready, _, _ = select.select([listener, 0], [], [])
        if 0 in ready and not os.read(0, 4096):
            return None
        if listener in ready:
            connection, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                return _monitor(connection)
            connection.close()
        while True:  # the monitors that have finished
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


def _monitor(connection: socket.socket) -> dict[str, Any]:
    """Reads one request, forks the command's process, says its pid and then its exit code.
    Returns only in the command's process."""
    with connection.makefile("rb") as lines:
        request: dict[str, Any] = json.loads(lines.readline())
    stdin = request["stdin"] or os.devnull
    files = [
        os.open(stdin, os.O_RDONLY),
        os.open(request["stdout"], os.O_WRONLY | os.O_TRUNC),
        os.open(request["stderr"], os.O_WRONLY | os.O_TRUNC),
    ]
    pid = os.fork()
    if pid == 0:
        connection.close()
        for number, fd in enumerate(files):
            os.dup2(fd, number)
            os.close(fd)
        return request
    for fd in files:
        os.close(fd)
    connection.sendall(f"pid {pid}\n".encode())
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    try:
        connection.sendall(f"exit {code}\n".encode())
    finally:
        os._exit(0)  # the monitor ends here: nothing of the warm process's exit runs


def _run(request: dict[str, Any]) -> None:
    """`python -m chatdesk ARGS` in this process, as a new interpreter runs it."""
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.path[0] = request["cwd"]  # as `-m` puts the working folder first
    sys.argv = ["-m", *request["argv"]]  # runpy puts the module's path first
    runpy._run_module_as_main("chatdesk")  # type: ignore[attr-defined]


def main() -> None:
    listener = socket.socket(fileno=int(sys.argv[1]))
    _preload()
    request = _serve(listener)
    if request is not None:
        _run(request)  # its SystemExit ends the interpreter, with the command's exit code


if __name__ == "__main__":
    main()
