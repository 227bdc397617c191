"""The colours of what chatdesk writes without a window (an exported page, the Markdown in it)
read as WCAG 2.2 AA asks, like the window's looks (tests/ui/test_contrast.py)."""

from __future__ import annotations

import re

from chatdesk.core.render.document_colours import DOCUMENT, PAGE
from chatdesk.core.transfer.as_html import _STYLE
from tests.wcag import PART, TEXT, contrast, unreadable_code

# The page's text colours on the grounds they are drawn on.
_PAGE_PAIRS = [
    (fore, back) for fore in ("text", "quiet") for back in ("ground", "card", "user_card")
]


def test_the_pages_text_reads_on_its_grounds() -> None:
    misses = [
        f"{fore} on {back}: {contrast(PAGE[fore], PAGE[back]):.2f}"
        for fore, back in _PAGE_PAIRS
        if contrast(PAGE[fore], PAGE[back]) < TEXT
    ]
    assert misses == []


def test_the_markdowns_text_reads_in_a_message_of_the_page() -> None:
    cards = (PAGE["card"], PAGE["user_card"])
    for colour in (DOCUMENT.text, DOCUMENT.muted):  # formulas; quotes and notes
        assert all(contrast(colour, card) >= TEXT for card in cards), colour
    assert contrast(DOCUMENT.muted, DOCUMENT.code_header_background) >= TEXT  # the language
    assert contrast(PAGE["text"], DOCUMENT.inline_code_background) >= TEXT
    assert contrast(PAGE["text"], DOCUMENT.table_head) >= TEXT  # a table's header row
    assert all(contrast(DOCUMENT.quote_bar, card) >= PART for card in cards)


def test_every_colour_of_the_code_style_reads_on_the_documents_code_blocks() -> None:
    style, ground = DOCUMENT.code_style, DOCUMENT.code_background
    assert unreadable_code(style, ground, DOCUMENT.code_text) == []


def test_the_page_uses_only_its_own_colours() -> None:
    assert set(re.findall(r"#[0-9a-fA-F]{3,6}\b", _STYLE)) == set(PAGE.values())
