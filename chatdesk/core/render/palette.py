"""The colours baked into rendered HTML: which parts of a message carry a colour of their own.

Body text is left to the widget's palette; only parts drawn on their own background (code),
secondary text and pictures of text (math) carry a colour. The window's theme makes one from
its look's colour roles (chatdesk/ui/theme/render_palette.py) and hands it to the render in
`RenderOptions.palette`; without a window (an exported file, the command line) the render uses
the document's (chatdesk/core/render/document_colours.py). Frozen and hashable: formatted
messages and formula pictures are kept per palette, and it is pickled to the render child.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class Palette:
    text: str  # only for math images, which cannot inherit the widget's colour
    muted: str  # labels, notes, quotes, placeholders
    border: str  # table rules
    table_head: str  # a table's header row
    quote_bar: str  # the bar beside a quote
    inline_code_background: str
    code_background: str
    code_header_background: str  # a code block's head: its language and Copy
    code_text: str  # code tokens the highlighting style leaves uncoloured
    code_style: str  # Pygments style name

    def spelled(self) -> str:
        """Every value, in order: the same text for the same palette in every run (Python's
        `hash` of it is salted per process), for keys kept on disk."""
        return "\0".join(astuple(self))
