"""Quotes drawn as the peers draw them: the quoted text beside a coloured bar.

Qt's rich text draws no border on one side of a block, so a quote is a table of one row: a
narrow cell filled with the bar's colour, and the quoted blocks in the cell beside it. A table
cell is laid out more than once, so only the outer `BARRED` levels of quotes in quotes get a
bar; a quote nested deeper (up to the renderer's depth limit, chatdesk/core/render/limits.py)
is indented within the barred one, as Qt draws a `blockquote`, and costs no more than text.

The bar stands where the quote's lines begin: on the left of a quote written left to right,
on the right of one written right to left (Arabic, Hebrew), whatever the window's language.
The quote's direction is its first strong letter's, as a paragraph's is (Unicode's rule P2);
Qt lays a table's cells out left to right in any case, so a right-to-left quote's bar is its
last cell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from markdown_it.token import Token

from chatdesk.core.render.model import ReadingType
from chatdesk.core.render.palette import Palette

BARRED = 2  # levels of quotes in quotes drawn with a bar of their own
BAR_PX = 3
GAP_PX = 12  # between the bar and the text
_RIGHT_TO_LEFT = frozenset({"R", "AL"})


def quote_open_html(
    outer: int, palette: Palette, reading: ReadingType, right_to_left: bool = False
) -> str:
    """The opening markup of a quote inside `outer` others, its bar on the side its text
    begins."""
    if outer >= BARRED:
        return f'<blockquote style="margin: {reading.item}px 0 {reading.item}px {GAP_PX}px">'
    opening = (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" '
        f'style="margin-top: {reading.block}px; margin-bottom: {reading.block}px"><tr>'
    )
    side = "right" if right_to_left else "left"
    text = f'<td style="padding-{side}: {GAP_PX}px; padding-top: 2px; color: {palette.muted}">'
    return opening + (text if right_to_left else _bar(palette) + text)


def quote_close_html(outer: int, palette: Palette, right_to_left: bool = False) -> str:
    """The closing markup of the quote `quote_open_html(outer, …)` opened."""
    if outer >= BARRED:
        return "</blockquote>"
    return "</td>" + (_bar(palette) if right_to_left else "") + "</tr></table>"


def _bar(palette: Palette) -> str:
    return f'<td width="{BAR_PX}" bgcolor="{palette.quote_bar}"></td>'


def quote_is_right_to_left(tokens: Sequence[Token], start: int) -> bool:
    """Whether the quote opened at `tokens[start]` is written right to left: its first strong
    letter is. Reads its text only up to that letter (or the quote's end)."""
    depth = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
            if depth == 0:
                return False
        elif token.type == "inline":
            for letter in token.content:
                kind = unicodedata.bidirectional(letter)
                if kind == "L":
                    return False
                if kind in _RIGHT_TO_LEFT:
                    return True
    return False
