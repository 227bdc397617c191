"""pip, in a child process, installing an extra's packages into chatdesk's own environment
(extras.py's `Extras.install`; decisions 0074 and 0075).

The child is `python -P -m pip install …`: no shell, nothing from the working directory on its
path, and the environment every child of chatdesk gets (trust/environment.py) — no API key or
token — with pip's own settings (`PIP_*`: an index, a proxy's certificate) kept. Each line pip
prints is handed on as it comes; cancelling stops pip (and what it started). What went wrong is
read from what pip said and becomes an `InstallFailed` with its problem and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import importlib.metadata
import os
import signal
import site
import sys
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.trust.environment import pip_environment


class InstallProblem(enum.Enum):
    """Why an install did not happen, each with what the user can do."""

    FROZEN = "frozen"  # the desktop build: nothing can be added to it
    NO_PIP = "no_pip"  # chatdesk's Python has no pip
    NO_NETWORK = "no_network"  # the package index could not be reached
    NOT_FOUND = "not_found"  # the index has no version of a package that fits
    DISK_FULL = "disk_full"
    NOT_WRITABLE = "not_writable"  # the environment may not be changed by this user, or by pip
    UNKNOWN_EXTRA = "unknown_extra"  # this installation's metadata does not name the extra
    FAILED = "failed"  # anything else pip said


class InstallFailed(ChatdeskError):
    """An install of an extra that did not happen: `problem` says why, the message what to
    do. Nothing was changed, unless pip itself was stopped in the middle."""

    def __init__(self, problem: InstallProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


class Wanted(Protocol):
    """What is to be installed (extras.py's `ExtraState`)."""

    @property
    def extra(self) -> str: ...
    @property
    def requirements(self) -> tuple[str, ...]: ...
    @property
    def disk_mb(self) -> int: ...


STOP_SECONDS = 5.0  # how long pip has to stop on its own once cancelled, before it is killed
_KEPT_LINES = 200

# What pip (and the libraries under it) print when each thing goes wrong, in the order they
# are told apart: a missing pip first, then what the network or the disk said.
_SIGNS: tuple[tuple[InstallProblem, tuple[str, ...]], ...] = (
    (InstallProblem.NO_PIP, ("No module named pip",)),
    (InstallProblem.DISK_FULL, ("No space left on device", "[Errno 28]")),
    (
        InstallProblem.NO_NETWORK,
        (
            "Failed to establish a new connection",
            "NewConnectionError",
            "Temporary failure in name resolution",
            "Name or service not known",
            "Network is unreachable",
            "Connection refused",
            "ConnectTimeoutError",
            "Read timed out",
            "ProxyError",
            "getaddrinfo failed",
        ),
    ),
    (
        InstallProblem.NOT_WRITABLE,
        ("externally-managed-environment", "Permission denied", "[Errno 13]", "[Errno 30]"),
    ),
    (
        InstallProblem.NOT_FOUND,
        ("Could not find a version that satisfies", "No matching distribution found"),
    ),
)


def pip_command(python: str, arguments: Sequence[str]) -> list[str]:
    """The child's command: `python` runs pip, `arguments` are its options and requirements."""
    quiet = ["--disable-pip-version-check", "--no-input", "--progress-bar", "off"]
    return [python, "-P", "-m", "pip", "install", *quiet, *_user(python), *arguments]


async def run_pip(
    python: str, state: Wanted, options: Sequence[str], progress: Callable[[str], None]
) -> None:
    """Install `state`'s requirements with the pip of `python`; raises `InstallFailed`."""
    command = pip_command(python, [*options, *state.requirements])
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=pip_environment(os.environ, sys.platform),
            start_new_session=sys.platform != "win32",  # pip and what it starts stop together
            limit=1 << 20,  # a long line of pip's is not an error
        )
    except OSError as error:
        raise InstallFailed(
            InstallProblem.NO_PIP,
            tr("{python} could not be started: {reason}", python=python, reason=error),
        ) from None
    said: deque[str] = deque(maxlen=_KEPT_LINES)
    try:
        await _follow(process, said, progress)
        code = await process.wait()
    except asyncio.CancelledError:
        await _stop(process)
        raise
    if code != 0:
        raise failure(list(said), state, python)


async def _follow(
    process: asyncio.subprocess.Process, said: deque[str], progress: Callable[[str], None]
) -> None:
    assert process.stdout is not None
    async for raw in process.stdout:
        line = raw.decode("utf-8", "replace").rstrip()
        if line.strip():
            said.append(line)
            progress(line)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Stop pip: asked first, killed if it does not stop in time."""
    for how in (signal.SIGTERM, getattr(signal, "SIGKILL", signal.SIGTERM)):
        _signal(process, how)
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), STOP_SECONDS)
            return
        except TimeoutError:
            continue


def _signal(process: asyncio.subprocess.Process, how: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        if sys.platform == "win32" and how == signal.SIGTERM:
            process.terminate()
        elif sys.platform == "win32":
            process.kill()
        else:
            os.killpg(process.pid, how)  # its own session: pip and its children


def failure(said: Sequence[str], state: Wanted, python: str) -> InstallFailed:
    """The typed failure for what pip `said` before it stopped with an error."""
    text = "\n".join(said)
    problem = next(
        (problem for problem, signs in _SIGNS if any(sign in text for sign in signs)),
        InstallProblem.FAILED,
    )
    return InstallFailed(problem, _message(problem, _last_error(said), state, python))


def _message(problem: InstallProblem, said: str, state: Wanted, python: str) -> str:
    extra = state.extra
    if problem is InstallProblem.NO_PIP:
        return tr(
            "chatdesk's Python ({python}) has no pip to install with. Add it (python -m "
            "ensurepip), or install chatdesk again with pip and the extra: pip install "
            "'chatdesk[{extra}]'.",
            python=python,
            extra=extra,
        )
    if problem is InstallProblem.DISK_FULL:
        return tr(
            "The disk is full: free about {size} MB and try again ({said}).",
            size=state.disk_mb,
            said=said,
        )
    if problem is InstallProblem.NO_NETWORK:
        return tr(
            "The package index could not be reached: check the network (or the proxy) and try "
            "again ({said}).",
            said=said,
        )
    if problem is InstallProblem.NOT_WRITABLE:
        return tr(
            "pip may not change chatdesk's environment ({said}). Install chatdesk with the "
            "extra into a virtual environment of your own: pip install 'chatdesk[{extra}]'.",
            said=said,
            extra=extra,
        )
    if problem is InstallProblem.NOT_FOUND:
        return tr(
            "The package index has no version of {packages} for this system ({said}).",
            packages=", ".join(state.requirements),
            said=said,
        )
    return tr("pip could not install {extra}: {said}", extra=extra, said=said)


def _last_error(said: Sequence[str]) -> str:
    errors = [line.removeprefix("ERROR: ") for line in said if line.startswith("ERROR:")]
    return (errors or list(said) or [""])[-1].strip()


def _user(python: str) -> list[str]:
    """`--user` when chatdesk itself was installed in the user's site-packages (outside a
    virtual environment): its extras go where it is."""
    if python != sys.executable or sys.prefix != sys.base_prefix or not site.ENABLE_USER_SITE:
        return []
    try:
        where = Path(str(importlib.metadata.distribution("chatdesk").locate_file(""))).resolve()
    except importlib.metadata.PackageNotFoundError:
        return []
    user = Path(site.getusersitepackages()).resolve()
    return ["--user"] if where == user or user in where.parents else []
