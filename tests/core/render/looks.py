"""A palette other than the document's, as a window's dark look makes one: for tests that a
render follows the palette it is given."""

from __future__ import annotations

from chatdesk.core.render.palette import Palette

NIGHT = Palette(
    text="#e7e8ea",
    muted="#aab0b9",
    border="#54575d",
    table_head="#2c2f34",
    quote_bar="#828893",
    inline_code_background="#2f3235",
    code_background="#16181b",
    code_header_background="#26282c",
    code_text="#e6edf3",
    code_style="github-dark",
)
