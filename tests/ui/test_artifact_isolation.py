"""The artifact engine's child, once in a network of its own, reaches nothing outside it: not
a server on this computer's 127.0.0.1 (decision 0102)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="network namespaces are Linux's")

# Each case runs in a fresh interpreter: entering a namespace is for good, and the kernel lets
# only a process of one thread do it. The child says what happened, then connects to the port.
_CHILD = textwrap.dedent(
    """
    import os, socket, sys, threading
    from chatdesk.ui.artifacts.isolation import enter_own_network
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "thread first":
        threading.Thread(target=threading.Event().wait, daemon=True).start()
    before = os.getuid()
    if mode == "stay":
        print("not asked")
    else:
        got = enter_own_network()
        print("isolated" if got.isolated else "not isolated: " + got.reason)
    print("same user" if os.getuid() == before else "another user")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        print("reached")
    except OSError as error:
        print("refused", error.errno)
    """
)


@pytest.fixture
def server() -> Iterator[tuple[int, threading.Event]]:
    """A server on 127.0.0.1, and the event it sets when a connection is made to it."""
    listening = socket.create_server(("127.0.0.1", 0))
    heard = threading.Event()

    def accept() -> None:
        while True:
            try:
                connection, _ = listening.accept()
            except OSError:  # closed at the end of the test
                return
            heard.set()
            connection.close()

    threading.Thread(target=accept, daemon=True).start()
    yield listening.getsockname()[1], heard
    listening.close()


def _child(mode: str, port: int) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_child_in_its_own_network_cannot_reach_this_computer(
    server: tuple[int, threading.Event],
) -> None:
    port, heard = server
    said, user, connection = _child("enter", port)
    if said.startswith("not isolated: unshare") and os.environ.get("CI") != "true":
        pytest.skip(f"this system refuses user namespaces ({said})")
    assert said == "isolated"
    assert user == "same user"
    assert connection.startswith("refused")
    assert not heard.is_set()


def test_outside_a_namespace_the_same_child_reaches_the_server(
    server: tuple[int, threading.Event],
) -> None:
    # What the test above counts on: without the namespace, the connection lands.
    port, heard = server
    assert _child("stay", port)[2] == "reached"
    assert heard.wait(timeout=60)


def test_a_process_already_running_threads_is_left_where_it_is(
    server: tuple[int, threading.Event],
) -> None:
    port, _ = server
    said, _user, connection = _child("thread first", port)
    assert said == "not isolated: the process already runs threads"
    assert connection == "reached"
