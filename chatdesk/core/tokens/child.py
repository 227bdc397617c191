"""The token counting child's loop (started by `process.py` through
chatdesk/core/trust/children.py): tiktoken loads and counts here, never in the window's process.
Protocol: process.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.core.trust.child_entry import Replies, Requests

if TYPE_CHECKING:
    from chatdesk.core.tokens.loader import Encodings

log = logging.getLogger("chatdesk.tokens")


def serve(requests: Requests, replies: Replies) -> None:
    """Load and count what is asked until the parent goes."""
    from chatdesk.core.tokens.loader import Encodings

    notes = _Notes()
    folders: list[Path] = []
    encodings = Encodings(lambda: tuple(folders))
    replies.send(("ready",))
    while True:
        number, kind, name, payload = requests.recv()
        try:
            if kind == "load":
                folders[:] = map(Path, payload)
                answer: Any = _loaded_for_counting(encodings, name)
            else:
                answer = encodings.count(name, payload)
        except Exception:  # a bug costs this request its exact counts, not the child
            log.exception("token counting failed")
            answer = None
        try:
            replies.send((number, answer, notes.take()))
        except OSError:  # the parent is gone
            return


def _loaded_for_counting(encodings: Encodings, name: str) -> bool:
    encoding = encodings.load(name)
    if encoding is None:
        return False
    # The Encoding keeps the Python dict it was built from (~30 MB for o200k_base), used only
    # to decode and to list the vocabulary; counting uses the Rust tables alone.
    if isinstance(getattr(encoding, "_mergeable_ranks", None), dict):
        encoding._mergeable_ranks = {}
    return True


class _Notes(logging.Handler):
    """The child's warnings, kept to be sent with the answer and logged by the parent (the
    child has no log file of its own)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._records: list[tuple[int, str]] = []
        chatdesk = logging.getLogger("chatdesk")
        chatdesk.addHandler(self)
        chatdesk.propagate = False

    def emit(self, record: logging.LogRecord) -> None:
        self._records.append((record.levelno, self.format(record)))

    def take(self) -> list[tuple[int, str]]:
        taken, self._records = self._records, []
        return taken
