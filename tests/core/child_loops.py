"""A child's loop in a module of its own that imports nothing but the standard library and the
child's side of the supervisor, so a test can see what a child imports by itself
(tests/core/test_children.py)."""

from __future__ import annotations

import os
import sys

from chatdesk.core.trust.child_entry import Replies, Requests


def chatty(requests: Requests, replies: Replies) -> None:
    """Writes to standard output as a library might, and says whether a module is imported."""
    print("a library's chatter", flush=True)
    os.write(1, b"and some from C\n")
    replies.send(("ready",))
    while True:
        number, module = requests.recv()
        print(module, flush=True)
        replies.send((number, module in sys.modules))
