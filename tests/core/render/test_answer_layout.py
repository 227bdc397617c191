"""The markup behind an answer laid out as the peers lay it out (tests/ui/test_answer_layout.py
shows it drawn): a quote's bar where its text begins, cells on one line up to a width, lists in
lists with no gap, displayed fractions at full size."""

from __future__ import annotations

import pytest

from chatdesk.core.render import render_markdown
from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.formulas import formula_image
from chatdesk.core.render.model import ReadingType, RenderOptions
from chatdesk.core.render.tables import WRAPPED_CELL_EM

BAR = f'<td width="3" bgcolor="{DOCUMENT.quote_bar}"></td>'
GAP = f"margin-bottom: {ReadingType().paragraph}px"  # under a paragraph, and under a list


def _bar_after_text(html: str, text: str) -> bool:
    return html.index(BAR) > html.index(text)


@pytest.mark.parametrize(
    ("quote", "shown", "right_to_left"),
    [
        ("> A quote in English, then عربي", "A quote", False),
        ("> اقتباس بالعربية with English after", "اقتباس", True),
        ("> **2024** — 12: اقتباس يبدأ بأرقام", "اقتباس", True),  # digits are not letters
        ("> 2024 — 12: an English quote after digits", "an English", False),
        ("> ```\n> code\n> ```\n>\n> שלום", "שלום", True),  # code is not the quote's words
    ],
)
def test_a_quotes_bar_stands_where_its_first_letter_starts_a_line(
    quote: str, shown: str, right_to_left: bool
) -> None:
    html = render_markdown(quote).html
    assert html.count(BAR) == 1
    assert _bar_after_text(html, shown) is right_to_left


def test_quotes_in_a_quote_each_take_their_own_direction() -> None:
    html = render_markdown("> English outside\n>\n> > عربي في الداخل").html
    assert html.count(BAR) == 2
    first, second = html.index(BAR), html.index(BAR, html.index(BAR) + 1)
    assert first < html.index("English outside")  # the outer bar before its text
    assert second > html.index("عربي في الداخل")  # the inner one after its own


def test_short_cells_stay_on_one_line_and_long_ones_wrap_at_a_width() -> None:
    table = "| Name | Note |\n|---|---|\n| SQLite | " + "words " * 20 + "|"
    html = render_markdown(table, RenderOptions(reading=ReadingType(text_px=16))).html
    assert html.count("white-space: nowrap") == 3  # both headers, the short cell
    assert html.count(f'width="{WRAPPED_CELL_EM * 16}"') == 1  # the long cell, at the text's size


def test_a_list_in_a_list_item_has_no_gap_above_or_below() -> None:
    html = render_markdown("- **Step**\n\n  - one\n  - two\n\n- next\n\nAfter").html
    outer, inner = html.index("<ul"), html.index("<ul", html.index("<ul") + 1)
    assert GAP in html[outer : html.index(">", outer)]  # from what follows
    assert "margin-bottom: 0px" in html[inner : html.index(">", inner)]
    step = html.index("<p", outer)
    assert "margin-bottom: 0px" in html[step : html.index(">", step)]  # right above "one"


def test_a_lists_gap_below_goes_under_its_last_line_when_a_nested_list_ends_it() -> None:
    html = render_markdown("1. first\n2. last\n   - a\n   - b\n\nAfter").html
    outer, inner = html.index("<ol"), html.index("<ul")
    assert "margin-bottom: 0px" in html[outer : html.index(">", outer)]  # not under "last"
    assert GAP in html[inner : html.index(">", inner)]  # under "b"


def test_a_displayed_fraction_is_set_at_full_size() -> None:
    displayed = formula_image(r"\frac{n + 1}{2}", DOCUMENT.text, display=True)
    small = formula_image(r"\tfrac{n + 1}{2}", DOCUMENT.text, display=True)
    assert displayed is not None
    assert small is not None
    assert displayed.height > 1.3 * small.height
