"""The colours of documents chatdesk writes without a window: the exported HTML page and the
Markdown formatted into it (also what the command line and tests format with).

Not the window's look: a file is read later, in a browser, on whatever screen, so it keeps one
light look of its own, held to WCAG 2.2 AA by tests/core/render/test_document_colours.py. The
window's colours are chatdesk/ui/theme/colours.py; this is the one other place a colour is
written down in chatdesk's code (decision 0034).
"""

from __future__ import annotations

from typing import Final

from chatdesk.core.render.palette import Palette

# The Markdown's colours (render/palette.py says what each is for).
DOCUMENT: Final = Palette(
    text="#1d1f23",
    muted="#5c6270",
    border="#c4c4c4",
    table_head="#eceef2",
    quote_bar="#7e848f",
    inline_code_background="#eeeff1",
    code_background="#f8f9fa",
    code_header_background="#e9ebef",
    code_text="#1e1e1e",
    code_style="default",
)

# The exported page around the messages: name -> colour, named in its style sheet as `$name`.
PAGE: Final[dict[str, str]] = {
    "ground": "#f6f6f7",  # the page
    "text": "#1e1e1e",
    "quiet": "#6e6e6e",  # who wrote a message and when, notes, file lines
    "card": "#ffffff",  # a message
    "card_edge": "#e2e2e5",
    "user_card": "#eef3fb",  # the user's messages
    "failure": "#c0392b",  # the edge of a note about a failed or stopped answer
}
