"""chatdesk's sizes: a type scale, a spacing scale and corner radii, in one place.

Type sizes are factors of the body font (the system's), so the whole window follows the
platform's size; spacing and radii are pixels (Qt scales them on a high-density screen). The
conversation is set apart, in its reading type: a larger size of its own (READING_*), which
Preferences' text size and View ▸ Zoom scale, and the room between and inside its blocks as
factors of that size (READING), so it grows with it (chatdesk/ui/theme/reading.py). Style
sheets and layouts take these names, never a bare number.
"""

from __future__ import annotations

from typing import Final

# name: factor of the body font's size
TYPE: Final[dict[str, float]] = {
    "caption": 0.85,  # figures under a message, badges, the status bar
    "body": 1.0,  # messages, fields, menus
    "label": 1.0,  # buttons and section names (semibold)
    "subtitle": 1.15,  # a thread's title in the header, dialog headings
    "title": 2.0,  # a new chat's greeting
}

# name: factor of the body font's size, for indents that grow with the text
INDENT: Final[dict[str, float]] = {
    "list": 1.6,  # each level of a list in a formatted message (Qt's own is 40 px a level)
}

# The conversation's text at 100 % when Preferences leave its size to chatdesk: at least this
# many pixels (11 pt on a 96-dpi screen, the peers' 15-16 px), and at least this much larger
# than the controls' text (a desktop whose own text is large already).
READING_LEAST_PX: Final = 15
READING_OVER_BODY: Final = 1.1
# The width of the reading column (ui.column_width) is given for text of this size: it grows
# and shrinks with the text, so a line holds as many words at any size.
READING_MEASURED_PX: Final = 15

# name: factor of the reading size
READING: Final[dict[str, float]] = {
    "line": 1.5,  # a line of text's height
    "code_line": 1.35,  # a line of code's height
    "code": 0.875,  # code's size, in a block or within a line
    "paragraph": 0.8,  # below a paragraph and a list, around a displayed formula
    "item": 0.2,  # between a list's items
    "block": 1.0,  # above and below a table, a code block, a quote
    "heading_above": 1.3,
    "heading_below": 0.5,
    "cell_down": 0.5,  # inside a table's cell: above and below its text
    "cell_across": 0.8,  # and at its sides
    "code_down": 0.6,  # inside a code block's card: above and below its head and its code
    "code_across": 1.0,  # and at their sides
    "chip_across": 0.2,  # a chip of code within a line: its ground past the code's letters
}

# pixels between things
SPACE: Final[dict[str, int]] = {
    "xxs": 2,
    "xs": 4,
    "s": 8,
    "m": 12,
    "l": 16,
    "xl": 24,
    "xxl": 32,
}

# corner radii in pixels
RADIUS: Final[dict[str, int]] = {
    "s": 4,  # small buttons, code within a line, chips' inner parts
    "m": 8,  # buttons, fields, cards, code blocks' cards
    "l": 14,  # message bubbles
    "xl": 22,  # the composer's card
    "round": 999,  # pills and round buttons (Qt clamps it to half the height)
}

# the height of a control of the composer's card (and a round one's side)
CONTROL: Final[dict[str, int]] = {
    "s": 24,  # a chip of what is switched on
    "m": 30,  # "+", the model, the microphone
    "l": 34,  # the round Send (Stop)
}

ICON: Final[dict[str, int]] = {
    "s": 16,  # in a message's action row, in a chip
    "m": 18,  # in the composer, the header and the sidebar
    "l": 40,  # an empty state's picture
}
