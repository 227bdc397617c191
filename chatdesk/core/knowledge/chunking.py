"""One document's text cut into passages for a knowledge base: each is found by keyword and by
vector, sent to a model and shown as a cited source, so it should read as a whole and say where
it is.

Structure comes first. The extractors (`chatdesk/core/attach/pdf.py`, `office.py`) write a
"--- Page N ---", "--- Sheet: NAME ---" or "--- Slide N ---" line before each part: a passage
never runs across one, and the line itself is left out of every passage (its place is in the
location, and the words "Page" or "Sheet" would only add noise to a search); such a line counts
wherever it is, even in an unclosed code fence, which it ends. A Markdown heading
(`#` to `######` at a line's start, outside a ``` or ~~~ fence) starts a new passage and is kept
in it, for a search finds a section by its title; a heading with nothing under it but another
heading joins that one's passage, so a title is not a passage on its own. Headings carry on
across pages (a chapter runs over a page break) but not into another sheet or slide.

Inside a section, passages are at most `target` characters (no slack: a passage is never
longer) and end at the strongest break in their last half: a blank line, else a sentence's
end, else a line's end, else a space, else exactly `target` characters in (a base64 blob, or
Chinese without punctuation). A sheet's rows are its units, so a sheet is cut at line ends
before sentence ends. The next passage of the same section starts about `overlap` characters
back, at a sentence's or word's start (a row's, in a sheet), and never more than half the
previous passage back.

A passage is always `text[start:end]`, trimmed of whitespace by moving its ends, so the window
can highlight it in the document; every character that is not whitespace or a part's line is
in at least one passage. The work is a few compiled regular expressions per passage, each over
at most `target` characters: linear in the text's length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

TARGET_CHARS = 1_200  # a passage's aim (about 300 tokens)
OVERLAP_CHARS = 200  # the tail of a passage repeated at the head of the next, within one section

_NAME_CAP = 80  # a heading or sheet name in a location; a citation is one line

_STRUCTURE = re.compile(
    r"^(?:"
    r"--- (?:Page (?P<page>\d+)|Sheet: (?P<sheet>[^\n]*)|Slide (?P<slide>\d+)) ---[ \t]*"
    r"|[ ]{0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>[^\n]*))?"
    r"|[ ]{0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)"
    r")$",
    re.MULTILINE,
)
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")  # "## Setup ##" is titled "Setup"

# Each finds the last break in text[lo:hi]: `.*` runs to `hi` and backs off to the first place
# the break matches, in C and over at most half a passage.
_LAST_PARAGRAPH = re.compile(r"(?s:.*)\n[ \t]*\n")
_LAST_SENTENCE = re.compile(r"(?s:.*)(?:[.!?][\"'”’)\]]*\s|[。！？][\"'”’」』)\]）]*)")
_LAST_LINE = re.compile(r"(?s:.*)\n")
_LAST_SPACE = re.compile(r"(?s:.*)\s")
_PROSE_BREAKS = (_LAST_PARAGRAPH, _LAST_SENTENCE, _LAST_LINE, _LAST_SPACE)
_ROW_BREAKS = (_LAST_PARAGRAPH, _LAST_LINE, _LAST_SPACE)

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s|[。！？][\"'”’」』)\]）]*")
_SPACE = re.compile(r"\s")
_INK = re.compile(r"\S")
_LAST_INK = re.compile(r"(?s:.*)\S")


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document and where it is, for a citation."""

    text: str  # always the document's text[start:end]
    start: int  # offset into the document's text
    end: int  # exclusive
    location: str  # "page 3 › Results › Method", "sheet Budget", "slide 4", "Setup", or ""


def chunks_of(
    text: str, *, target: int = TARGET_CHARS, overlap: int = OVERLAP_CHARS
) -> Iterator[Chunk]:
    """The passages of `text`, in order; nothing for empty or whitespace-only text."""
    if target < 1 or overlap < 0:
        raise ValueError(f"target must be at least 1 and overlap at least 0: {target}, {overlap}")
    return _chunks(text, target, overlap)


def _chunks(text: str, target: int, overlap: int) -> Iterator[Chunk]:
    for section in _sections(text):
        yield from _passages(text, section, target, overlap)


class _Section(NamedTuple):
    start: int
    end: int
    location: str
    rows: bool  # a sheet's: cut between rows rather than sentences


class _Outline:
    """Where a scan of the text is: the page, sheet or slide, the headings above, and whether a
    code fence is open (a `#` line in code is a comment, not a heading)."""

    def __init__(self) -> None:
        self.place = ""
        self.rows = False
        self.headings: list[str] = []  # [i] is the level-i+1 heading's title, "" if skipped
        self.fence = ""  # the open fence's marks, "" when none is open
        self.heading_end = -1  # where the current section's heading line ends; -1: no heading

    @property
    def location(self) -> str:
        return " › ".join(part for part in (self.place, *self.headings) if part)

    def enter(self, marker: re.Match[str]) -> None:
        """A page, sheet or slide begins."""
        if marker["page"] is not None:
            self.place, self.rows = f"page {marker['page']}", False
        elif marker["slide"] is not None:
            self.place, self.rows = f"slide {marker['slide']}", False
            self.headings = []
        else:
            self.place, self.rows = f"sheet {_capped(' '.join(marker['sheet'].split()))}", True
            self.headings = []
        self.fence = ""  # an unclosed fence ends with its page
        self.heading_end = -1

    def head(self, level: int, title: str, line_end: int) -> None:
        """A level-`level` heading replaces the one at its level and drops those under it."""
        del self.headings[level - 1 :]
        self.headings.extend([""] * (level - 1 - len(self.headings)))
        self.headings.append(title)
        self.heading_end = line_end

    def only_heading(self, text: str, end: int) -> bool:
        """Whether the current section, up to `end`, holds nothing but its heading line."""
        return self.heading_end >= 0 and _INK.search(text, self.heading_end, end) is None

    def fenced(self, line: re.Match[str]) -> None:
        """A fence line opens a code block, or closes the open one (same marks, at least as
        many, nothing after them); "```code```" on one line is inline code, not a fence."""
        marks, info = line["fence"], line["info"]
        if not self.fence:
            if not (marks[0] == "`" and "`" in info):
                self.fence = marks
        elif marks[0] == self.fence[0] and len(marks) >= len(self.fence) and not info.strip():
            self.fence = ""


def _sections(text: str) -> Iterator[_Section]:
    """The text between parts' lines and headings, each with its location."""
    outline = _Outline()
    start = 0
    for line in _STRUCTURE.finditer(text):
        if line["fence"] is not None:
            outline.fenced(line)
        elif line["hashes"] is not None:
            title = _heading_title(line["title"] or "")
            if outline.fence or not title:
                continue
            if not outline.only_heading(text, line.start()):
                yield _Section(start, line.start(), outline.location, outline.rows)
                start = line.start()
            outline.head(len(line["hashes"]), title, line.end())
        else:
            yield _Section(start, line.start(), outline.location, outline.rows)
            start = line.end()
            outline.enter(line)
    yield _Section(start, len(text), outline.location, outline.rows)


def _heading_title(raw: str) -> str:
    return _capped(" ".join(_CLOSING_HASHES.sub("", raw).split()))


def _capped(name: str) -> str:
    return name if len(name) <= _NAME_CAP else name[: _NAME_CAP - 1].rstrip() + "…"


def _passages(text: str, section: _Section, target: int, overlap: int) -> Iterator[Chunk]:
    """One section's passages: each ends at a break in its last half, the next starts
    `overlap` back, and the last is what is left."""
    start = _ink_start(text, section.start, section.end)
    stop = _ink_end(text, start, section.end)
    if start == stop:
        return
    breaks = _ROW_BREAKS if section.rows else _PROSE_BREAKS
    covered = start  # the end of the passages given so far
    while stop - start > target:
        end = _ink_end(text, start, _cut(text, start, target, breaks))
        if end <= covered:
            # All that is new in the window is whitespace (a long run of blank lines): the next
            # passage starts after it rather than repeating the last one's tail.
            start = _ink_start(text, covered, stop)
            continue
        yield Chunk(text[start:end], start, end, section.location)
        covered = end
        back = min(overlap, (end - start) // 2)  # moves `start` on by half a passage at least
        head = _overlap_start(text, end - back, end, back, section.rows) if back else end
        start = _ink_start(text, head, stop)
    yield Chunk(text[start:stop], start, stop, section.location)


def _cut(text: str, start: int, target: int, breaks: tuple[re.Pattern[str], ...]) -> int:
    """Where a passage from `start` ends: after the strongest break in its second half."""
    low, high = start + target // 2, start + target
    for last_break in breaks:
        found = last_break.match(text, low, high)
        if found is not None:
            return found.end()
    return high


def _ink_start(text: str, start: int, end: int) -> int:
    """`start` moved on over whitespace, to `end` at most."""
    found = _INK.search(text, start, end)
    return found.start() if found is not None else end


def _ink_end(text: str, start: int, end: int) -> int:
    """`end` moved back over whitespace, to `start` at most."""
    found = _LAST_INK.match(text, start, end)
    return found.end() if found is not None else start


def _overlap_start(text: str, at: int, end: int, back: int, rows: bool) -> int:
    """Where the next passage starts, near `at`: the next row's start in a sheet, a sentence's
    if one starts in the first half of the overlap, else a word's, else `at` itself (text with
    no spaces)."""
    if rows:
        line = text.find("\n", at, end)
        if line >= 0:
            return line
    else:
        sentence = _SENTENCE_END.search(text, at, min(end, at + back // 2 + 1))
        if sentence is not None:
            return sentence.end()
    space = _SPACE.search(text, at, end)
    return space.start() if space is not None else at
