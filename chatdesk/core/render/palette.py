"""Colours baked into rendered HTML, one set per look.

Body text is left to the widget's palette; only parts drawn on their own background (code),
secondary text and pictures of text (math) carry a colour. The values follow the UI's
looks (chatdesk/ui/theme/colours.py) so the two agree without the core importing the UI.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    text: str  # only for math images, which cannot inherit the widget's colour
    muted: str  # labels, notes, quotes, placeholders
    border: str  # table rules
    inline_code_background: str
    code_background: str
    code_header_background: str  # a code block's head: its language and Copy
    code_text: str  # code tokens the highlighting style leaves uncoloured
    code_style: str  # Pygments style name


LIGHT = Palette(
    text="#1d1f23",
    muted="#5c6270",
    border="#c4c4c4",
    inline_code_background="#eeeff1",
    code_background="#f5f6f8",
    code_header_background="#e9ebef",
    code_text="#1e1e1e",
    code_style="default",
)

DARK = Palette(
    text="#e7e8ea",
    muted="#aab0b9",
    border="#54575d",
    inline_code_background="#2f3235",
    code_background="#16181b",
    code_header_background="#26282c",
    code_text="#e6edf3",
    code_style="github-dark",
)


def palette_for(dark: bool) -> Palette:
    return DARK if dark else LIGHT
