"""Inputs too big or too deep to format quickly: they are shown as plain text instead.

These checks are linear and cheap (a few ms for the largest accepted input), so a hostile
message costs little before it is refused. The worker's time limit is the second line of
defence for whatever slips through.
"""

from __future__ import annotations

import re

from chatdesk.core.i18n import ntr, tr

MAX_CHARS = 200_000
MAX_LINE_CHARS = 20_000
MAX_DEPTH = 50
# markdown-it-py spends ~20–50 µs per block line (list item, heading, table row) and ~15 µs per
# table cell, against ~0.5 µs per line of fenced code: 10,000 units keep a parse near 0.5 s.
MAX_STRUCTURE = 10_000

_LINE_BREAK = re.compile(r"\r\n?|\n")
# Leading container markers of a line: block quotes and list items (a list marker needs a space
# or the line end after it, so rules like "-----" do not count).
_CONTAINER_PREFIX = re.compile(
    r"^[ \t]*+(?:(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$))[ \t]*+)*+", re.MULTILINE
)
# Lines whose prefix could be that deep: a prefix is never deeper than it is long.
_LONG_PREFIX = re.compile(rf"^(?=[ \t>+*\-\d.)]{{{MAX_DEPTH + 1}}})", re.MULTILINE)
_MARKER = re.compile(r">|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)")
_FENCE = re.compile(r"^[ \t>]*(?:[-+*][ \t]+)?(`{3,}|~{3,})", re.MULTILINE)
_NON_BLANK_LINE = re.compile(r"^[ \t]*\S", re.MULTILINE)


def refusal_reason(text: str) -> str | None:
    """Why `text` must not be parsed as markdown, or None when it may be."""
    if len(text) > MAX_CHARS:
        return too_long(text)
    if _longest_line(text) > MAX_LINE_CHARS:
        return tr("a line is too long to format")
    if _deepest_nesting(text) > MAX_DEPTH:
        return tr("nested too deeply to format")
    if _structure(text) > MAX_STRUCTURE:
        return tr("too many lines to format")
    return None


def too_long(text: str) -> str:
    return ntr(
        "too long to format ({n} character)", "too long to format ({n} characters)", len(text)
    )


def _longest_line(text: str) -> int:
    return max(map(len, _LINE_BREAK.split(text)))


def _deepest_nesting(text: str) -> int:
    """An upper bound of the block nesting of any line: markers, plus indentation / 2 on lines
    that open a list item (each nested level needs a marker or two more columns)."""
    deepest = 0
    for candidate in _LONG_PREFIX.finditer(text):
        prefix = _CONTAINER_PREFIX.match(text, candidate.start())
        if prefix is not None:
            deepest = max(deepest, _prefix_depth(prefix.group()))
    return deepest


def _prefix_depth(prefix: str) -> int:
    markers = len(_MARKER.findall(prefix))
    if not markers:
        return 0
    columns = prefix.count(" ") + 4 * prefix.count("\t")
    return markers + columns // 2


def _structure(text: str) -> int:
    """Non-blank lines plus a third of the table pipes, outside fenced code (roughly)."""
    units = 0
    for part in _outside_fences(text):
        units += len(_NON_BLANK_LINE.findall(part)) + part.count("|") // 3
    return units


def _outside_fences(text: str) -> list[str]:
    """The text between fenced code blocks; a fence closes with a run of the same character
    at least as long as the one that opened it."""
    parts: list[str] = []
    start = 0
    opener: str | None = None
    for match in _FENCE.finditer(text):
        run = match.group(1)
        if opener is None:
            parts.append(text[start : match.start()])
            opener = run
        elif run[0] == opener[0] and len(run) >= len(opener):
            start, opener = match.end(), None
    if opener is None:
        parts.append(text[start:])
    return parts
