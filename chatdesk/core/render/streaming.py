"""Streaming: which prefix of a growing answer is made of finished blocks.

Re-rendering a whole answer for every streamed token is quadratic (~4 s of CPU per 1,000 tokens,
measured by `benchmarks/render.py`). Instead the UI renders the finished blocks once and
re-renders only the growing tail. A block is finished when a blank line follows it and the next
line has started at column 0: nothing typed later can change how it parses (a paragraph, fence,
table, quote or list cannot continue past that point; math blocks never span a blank line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from chatdesk.core.render.mathsyntax import math_plugin

_LINE_BREAK = re.compile(r"\r\n?|\n")
LONG_TAIL = 4_000  # characters of a streaming tail formatted again at every update


def stable_prefix_length(text: str, start: int = 0) -> int:
    """Length of the longest prefix of `text` that consists of complete markdown blocks: it
    ends right after a blank line that lies outside any code fence or math block, and the line
    after it has begun. Rendering `text[:n]` and `text[n:]` separately shows the same text as
    rendering `text` (lists split there restart their numbering at the right number; a link
    whose reference definition is on the other side stays literal until the final render).

    `start`: a value this function returned for an earlier, shorter version of `text`; only the
    text after it is parsed, so streaming stays linear.
    """
    start = max(0, min(start, len(text)))
    tail = text[start:]
    lines = _line_starts(tail)
    best = 0
    for line in _block_start_lines(_block_parser().parse(tail)):
        if line > 0 and _is_blank(tail, lines, line - 1) and _starts_flush(tail, lines[line]):
            best = lines[line]
    return start + best


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _is_blank(text: str, lines: Sequence[int], line: int) -> bool:
    """Only spaces and tabs: what markdown-it calls blank (a no-break space is text)."""
    end = lines[line + 1] if line + 1 < len(lines) else len(text)
    return not text[lines[line] : end].strip(" \t\r\n")


def _starts_flush(text: str, offset: int) -> bool:
    return offset < len(text) and not text[offset].isspace()


def _block_start_lines(tokens: Sequence[Token]) -> Iterator[int]:
    """First lines of top-level blocks and of the items of top-level lists."""
    for token in tokens:
        top_level = token.level == 0 and token.nesting >= 0
        top_list_item = token.type == "list_item_open" and token.level == 1
        if (top_level or top_list_item) and token.map:
            yield token.map[0]


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    """The renderer's block grammar without inline parsing (blocks are all that matter here)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    math_plugin(parser)
    parser.core.ruler.disable(["inline", "text_join"])
    return parser


def tail_due(tail: str, shown: str | None) -> bool:
    """Whether the tail on screen should be formatted again. A tail longer than LONG_TAIL
    (one block: a long code listing, a table of many rows) waits until it has grown by an
    eighth: each of its renders costs its length, and so the cost stays near linear."""
    if shown is None or tail == shown:
        return shown is None and bool(tail)
    if len(tail) <= LONG_TAIL or not tail.startswith(shown):
        return True
    return len(tail) - len(shown) >= len(tail) // 8
