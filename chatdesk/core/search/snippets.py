"""Snippets marked by bytes that UTF-8 text never contains.

SQLite's snippet() and highlight() put the given markers around each matched word. Any
character could also be in a message (a private-use character, say), so the markers are the
bytes 0xFE and 0xFF, which never occur in UTF-8, and the snippet is read back as bytes
(`CAST(... AS BLOB)`): a marker found there can only be one SQLite put in.
"""

from __future__ import annotations

import re

from chatdesk.core.search.views import Snippet

OPEN = "X'FE'"  # SQL literals, for snippet()/highlight()
CLOSE = "X'FF'"
ELLIPSIS = "'…'"

_MARKER = re.compile(b"[\xfe\xff]")


def parse(marked: bytes | None) -> Snippet:
    if not marked:
        return Snippet("")
    text: list[str] = []
    highlights: list[tuple[int, int]] = []
    position = 0
    # Chunks alternate: outside a match, inside one, outside ...
    for number, chunk in enumerate(_MARKER.split(marked)):
        part = chunk.decode("utf-8", "replace")
        if number % 2 and part:
            highlights.append((position, position + len(part)))
        text.append(part)
        position += len(part)
    return Snippet("".join(text), tuple(highlights))
