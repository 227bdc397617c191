"""The rendered Markdown's colours in a look: the render's `Palette` made from the look's
colour roles, handed to the core in `RenderOptions.palette` (the core never imports the UI)."""

from __future__ import annotations

from functools import cache

from chatdesk.core.render.palette import Palette
from chatdesk.ui.theme.colours import CODE_STYLES, Look, colours


@cache
def render_palette(look: Look) -> Palette:
    named = colours(look)
    return Palette(
        text=named["text"],
        muted=named["text_quiet"],
        border=named["rule"],
        table_head=named["table_head"],
        quote_bar=named["quote_bar"],
        inline_code_background=named["code_inline"],
        code_background=named["code"],
        code_header_background=named["code_head"],
        code_text=named["on_code"],
        code_style=CODE_STYLES[look],
    )
