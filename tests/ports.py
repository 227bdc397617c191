"""A port on 127.0.0.1 that nothing listens on: for a server a test starts, or for a refused
connection."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port the kernel just handed out and took back: free now, and not handed out again
    soon (ports are assigned in turn)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
