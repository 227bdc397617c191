"""chatdesk's sizes: a type scale, a spacing scale and corner radii, in one place.

Type sizes are factors of the body font (the system's, or the size chosen in Preferences), so
the whole window grows and shrinks with it; spacing and radii are pixels (Qt scales them on a
high-density screen). Style sheets and layouts take these names, never a bare number.
"""

from __future__ import annotations

from typing import Final

# name: factor of the body font's size
TYPE: Final[dict[str, float]] = {
    "caption": 0.85,  # figures under a message, badges, the status bar
    "body": 1.0,  # messages, fields, menus
    "label": 1.0,  # buttons and section names (semibold)
    "subtitle": 1.15,  # a thread's title in the header, dialog headings
    "title": 1.45,  # an empty conversation's greeting
}

# name: factor of the body font's size, for indents that grow with the text
INDENT: Final[dict[str, float]] = {
    "list": 1.6,  # each level of a list in a formatted message (Qt's own is 40 px a level)
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
    "s": 4,  # small buttons, code, chips' inner parts
    "m": 8,  # buttons, fields, cards, code blocks
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
