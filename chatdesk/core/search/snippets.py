"""Snippets marked by bytes that UTF-8 text never contains, and shown as text.

SQLite's snippet() and highlight() put the given markers around each matched word. Any
character could also be in a message (a private-use character, say), so the markers are the
bytes 0xFE and 0xFF, which never occur in UTF-8, and the snippet is read back as bytes
(`CAST(... AS BLOB)`): a marker found there can only be one SQLite put in.

A message is Markdown, and a snippet is read as text: the marks of its syntax (a quote's `>`, a
heading's `#`, a list's bullet, emphasis, code's backticks, a link's brackets and address) are
left out, the matched words still marked where they are.
"""

from __future__ import annotations

import re

from chatdesk.core.search.views import Snippet

OPEN = "X'FE'"  # SQL literals, for snippet()/highlight()
CLOSE = "X'FF'"
ELLIPSIS = "'…'"

_MARKER = re.compile(b"[\xfe\xff]")

# The syntax left out of a snippet: each match's named groups are dropped, the rest kept. A line
# starts at the snippet's start (after SQLite's "…") or after a line break.
_SYNTAX = re.compile(
    r"(?:^|(?<=\n)|(?<=^…))(?P<line>[ \t]{0,3}(?:(?:>[ \t]?)+|#{1,6}[ \t]+|[-*+][ \t]+"
    r"|\d{1,9}[.)][ \t]+|```+\w*|~~~+\w*))"
    r"|(?P<emphasis>\*\*|__|~~|`+)"
    r"|(?P<image>!)?(?P<open>\[)(?=[^\]\n]*\]\()"
    r"|(?P<address>\]\([^)\s…]*(?:\s+\"[^\"\n…]*\")?(?:\)|(?=…$)))",  # maybe cut: "…"
    re.MULTILINE,
)


def parse(marked: bytes | None) -> Snippet:
    """The snippet SQLite marked, as text (`as_text`), its matches as offsets into it."""
    return as_text(_parsed(marked))


def as_text(snippet: Snippet) -> Snippet:
    """`snippet` without the marks of Markdown's syntax, its highlights moved with the text."""
    text = snippet.text
    dropped = bytearray(len(text))
    for match in _SYNTAX.finditer(text):
        for name, value in match.groupdict().items():
            if value:
                start, end = match.span(name)
                dropped[start:end] = b"\x01" * (end - start)
    if not any(dropped):
        return snippet
    kept_before = [0] * (len(text) + 1)  # characters kept before each offset
    for index, gone in enumerate(dropped):
        kept_before[index + 1] = kept_before[index] + (not gone)
    shown = "".join(c for c, gone in zip(text, dropped, strict=True) if not gone)
    moved = ((kept_before[start], kept_before[end]) for start, end in snippet.highlights)
    return Snippet(shown, tuple((start, end) for start, end in moved if end > start))


def _parsed(marked: bytes | None) -> Snippet:
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
