"""The artifact engine's child in a network of its own (Linux): nothing outside it exists.

QtWebEngine's in-page layers (the request interceptor, the Content-Security-Policy, the
navigation guard) stop every way out an artifact tried but one: WebRTC's TURN over TCP, which
no setting, flag or proxy of Qt's stops and which carries a user name the page chooses to any
host it names (decision 0102). A new network namespace has only its own loopback, down, so no
socket of the engine's — the network service runs in this process, the renderers are its
children — reaches the computer's network or its 127.0.0.1.

Making one needs no privilege where the system allows user namespaces: the process enters a
new user namespace in the same call, the user mapped to themself, so files keep their owner and
Chromium's own sandbox still starts inside it. The kernel refuses a process that already runs
more than one thread, so this is the child's first act, before any thread (Qt's, or the one
reading the parent's requests) starts.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading
from dataclasses import dataclass

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Isolation:
    """Whether this process is in a network namespace of its own, and if not, why (for the
    log: the engine then relies on its in-page layers alone)."""

    isolated: bool
    reason: str = ""


def enter_own_network() -> Isolation:
    """Move this process into a new user and network namespace, keeping its user and group.
    Call it while the process has one thread; it never raises."""
    return _enter()


if sys.platform == "linux":

    def _enter() -> Isolation:
        if threading.active_count() > 1:
            return Isolation(False, "the process already runs threads")
        uid, gid = os.getuid(), os.getgid()
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            failed = libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0
        except (OSError, AttributeError) as error:  # no C library to call: not a usual Linux
            return Isolation(False, str(error))
        if failed:
            code = ctypes.get_errno()
            name = errno.errorcode.get(code, str(code))
            return Isolation(False, f"unshare: {os.strerror(code)} ({name})")
        try:
            _write("/proc/self/setgroups", "deny")  # required before gid_map without privilege
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError as error:
            # In the namespace already, so cut off all the same; only the user is unmapped
            # (shown as nobody), which files owned by the user may then refuse.
            return Isolation(True, f"user not mapped: {error}")
        return Isolation(True)

    def _write(path: str, text: str) -> None:
        try:
            with open(path, "w", encoding="ascii") as file:
                file.write(text)
        except FileNotFoundError:
            if not path.endswith("setgroups"):  # kernels before 3.19 have no setgroups file
                raise

else:

    def _enter() -> Isolation:
        return Isolation(False, "network namespaces are Linux's")
