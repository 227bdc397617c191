"""Every colour pair the window draws, in every look, against WCAG 2.2 AA: 4.5:1 for text,
3:1 for the parts of a control one needs to see (icons, field edges, the focus ring).

The ratios are computed from the looks' colours (chatdesk/ui/theme/colours.py) with WCAG's
relative luminance (tests/wcag.py); the Qt palette, the style sheets and the rendered
Markdown's palette are checked to use those colours."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QPalette

from chatdesk.ui.theme import palette_for
from chatdesk.ui.theme.colours import CODE_STYLES, LOOKS, PAIRS, PART, ROLES, TEXT, Look, colours
from chatdesk.ui.theme.render_palette import render_palette
from chatdesk.ui.theme.sheet import app_sheet, window_sheet
from tests.wcag import contrast, unreadable_code


def test_the_formula_gives_wcags_own_figures() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just under AA
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just over
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("look", LOOKS)
def test_every_look_has_every_role_as_a_colour(look: Look) -> None:
    named = colours(look)
    assert set(named) == set(ROLES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in named.values())


@pytest.mark.parametrize("look", LOOKS)
def test_every_pair_the_window_draws_meets_aa(look: Look) -> None:
    named = colours(look)
    misses = [
        f"{fore} on {back}: {contrast(named[fore], named[back]):.2f} < {need}"
        for fore, back, need in PAIRS
        if contrast(named[fore], named[back]) < need
    ]
    assert not misses, f"{look}: {misses}"


def test_the_pairs_cover_text_on_every_background_and_the_focus_ring() -> None:
    backgrounds = {"window", "surface", "surface_alt", "raised", "hover", "pressed", "bubble"}
    assert {back for fore, back, need in PAIRS if need == TEXT} == backgrounds | {
        "accent",
        "accent_tint",  # a switched-on pill of the composer
        "pill",  # a pill at rest
        "tooltip",
        "temporary_tint",
        "find",
        "code",  # a formatted message's code blocks, their heads and code within a line
        "code_head",
        "code_inline",
        "table_head",  # a formatted message's tables: their header row
    }
    assert {("focus", back) for back in ("window", "surface", "surface_alt", "raised")} <= {
        (fore, back) for fore, back, need in PAIRS if need == PART
    }
    quiet_icons = {back for fore, back, need in PAIRS if fore == "text_quiet" and need == TEXT}
    assert {"window", "surface", "surface_alt", "raised", "hover"} <= quiet_icons


@pytest.mark.parametrize("look", LOOKS)
def test_the_palette_and_sheets_use_the_looks_colours(look: Look) -> None:
    named = colours(look)
    palette = palette_for(look)
    role = QPalette.ColorRole
    assert palette.color(role.Window).name() == named["window"]
    assert palette.color(role.Base).name() == named["surface"]
    assert palette.color(role.Text).name() == named["text"]
    assert palette.color(role.PlaceholderText).name() == named["text_quiet"]
    assert palette.color(role.Highlight).name() == named["accent"]
    assert palette.color(role.HighlightedText).name() == named["on_accent"]
    disabled = palette.color(QPalette.ColorGroup.Disabled, role.Text).name()
    assert disabled == named["text_disabled"]
    sheets = app_sheet(look, 10.0) + window_sheet(look, 10.0)
    used = set(re.findall(r"#[0-9a-fA-F]{6}\b", sheets))
    assert used <= set(named.values()), f"colours outside the look: {used - set(named.values())}"
    assert named["focus"] in sheets


@pytest.mark.parametrize("look", LOOKS)
def test_the_rendered_markdown_takes_the_looks_colours(look: Look) -> None:
    """The theme makes the palette the render bakes into a message (code, quotes, formulas)
    from the look's roles, so each is a pair above."""
    named, palette = colours(look), render_palette(look)
    assert palette.text == named["text"]  # formulas
    assert palette.muted == named["text_quiet"]  # quotes, a code block's language, notes
    assert palette.code_background == named["code"]
    assert palette.code_header_background == named["code_head"]
    assert palette.inline_code_background == named["code_inline"]
    assert palette.code_text == named["on_code"]
    assert palette.border == named["rule"]
    assert palette.table_head == named["table_head"]
    assert palette.quote_bar == named["quote_bar"]
    assert palette.code_style == CODE_STYLES[look]
    assert len({render_palette(other) for other in LOOKS}) == len(LOOKS)  # each its own


@pytest.mark.parametrize("look", LOOKS)
def test_every_colour_of_the_looks_code_style_reads_on_its_code_blocks(look: Look) -> None:
    named = colours(look)
    assert unreadable_code(CODE_STYLES[look], named["code"], named["on_code"]) == []


@pytest.mark.parametrize("look", LOOKS)
def test_a_chip_stands_apart_from_the_card_it_sits_in(look: Look) -> None:
    """The composer's chips of what is on are seen in every look, high contrast included: a
    ground of their own on the card, words and a ✕ that read on it."""
    named = colours(look)
    card, chip = named["surface"], named["accent_tint"]
    assert contrast(chip, card) > 1.1, "the chip's ground is the card's"
    assert contrast(named["on_accent_tint"], chip) >= TEXT
    sheet = window_sheet(look, 10.0)
    chips = re.search(r"#composerChip \{(.*?)\}", sheet, re.S)
    assert chips is not None
    assert f"background: {chip}" in chips.group(1)
    words = re.search(r"#chipLabel, #chipOff \{(.*?)\}", sheet, re.S)
    assert words is not None
    assert f"color: {named['on_accent_tint']}" in words.group(1)


@pytest.mark.parametrize("look", LOOKS)
def test_the_quick_windows_pills_stand_apart_from_the_window(look: Look) -> None:
    """The quick window's assistant and model pills: an edge that contrasts with the window and
    with the pill, and a ground of their own."""
    named = colours(look)
    box, pill = named["surface"], named["pill"]
    assert contrast(named["border_strong"], box) >= PART
    assert contrast(named["border_strong"], pill) >= PART
    assert contrast(pill, box) > 1.1, "the pill's ground is the box's"
    pills = re.search(r"#assistantPicker, #modelPicker \{(.*?)\}", window_sheet(look, 10.0), re.S)
    assert pills is not None
    assert f"background: {pill}" in pills.group(1)
    assert f"border: 1px solid {named['border_strong']}" in pills.group(1)
