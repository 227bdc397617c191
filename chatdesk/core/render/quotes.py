"""Quotes drawn as the peers draw them: the quoted text beside a coloured bar.

Qt's rich text draws no border on one side of a block, so a quote is a table of one row: a
narrow cell filled with the bar's colour, and the quoted blocks in the cell beside it. A table
cell is laid out more than once, so only the outer `BARRED` levels of quotes in quotes get a
bar; a quote nested deeper (up to the renderer's depth limit, chatdesk/core/render/limits.py)
is indented within the barred one, as Qt draws a `blockquote`, and costs no more than text.
"""

from __future__ import annotations

from chatdesk.core.render.palette import Palette

BARRED = 2  # levels of quotes in quotes drawn with a bar of their own
BAR_PX = 3
GAP_PX = 12  # between the bar and the text


def quote_open_html(outer: int, palette: Palette) -> str:
    """The opening markup of a quote inside `outer` others."""
    if outer >= BARRED:
        return '<blockquote style="margin: 4px 0 4px 12px">'
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" '
        'style="margin-top: 4px; margin-bottom: 10px">'
        f'<tr><td width="{BAR_PX}" bgcolor="{palette.quote_bar}"></td>'
        f'<td style="padding-left: {GAP_PX}px; padding-top: 2px; color: {palette.muted}">'
    )


def quote_close_html(outer: int) -> str:
    """The closing markup of the quote `quote_open_html(outer, …)` opened."""
    return "</blockquote>" if outer >= BARRED else "</td></tr></table>"
