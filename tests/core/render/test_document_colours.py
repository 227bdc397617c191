"""The colours of what chatdesk writes without a window (the Markdown of an exported page) read
as WCAG 2.2 AA asks, like the window's looks (tests/ui/test_contrast.py)."""

from __future__ import annotations

from chatdesk.core.render.document_colours import DOCUMENT
from tests.wcag import TEXT, contrast, unreadable_code


def test_the_markdowns_text_reads_on_its_grounds() -> None:
    assert contrast(DOCUMENT.muted, DOCUMENT.code_header_background) >= TEXT  # the language
    assert contrast(DOCUMENT.text, DOCUMENT.inline_code_background) >= TEXT


def test_every_colour_of_the_code_style_reads_on_the_documents_code_blocks() -> None:
    style, ground = DOCUMENT.code_style, DOCUMENT.code_background
    assert unreadable_code(style, ground, DOCUMENT.code_text) == []
