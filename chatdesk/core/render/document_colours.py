"""The colours of documents chatdesk writes without a window: the Markdown formatted into an
exported page (also what the command line and tests format with).

Not the window's look: a file is read later, in a browser, on whatever screen, so it keeps one
light look of its own, held to WCAG 2.2 AA by tests/core/render/test_document_colours.py.
"""

from __future__ import annotations

from typing import Final

from chatdesk.core.render.palette import Palette

# The Markdown's colours (render/palette.py says what each is for).
DOCUMENT: Final = Palette(
    text="#1d1f23",
    muted="#5c6270",
    border="#c4c4c4",
    inline_code_background="#eeeff1",
    code_background="#f8f9fa",
    code_header_background="#e9ebef",
    code_text="#1e1e1e",
    code_style="default",
)
