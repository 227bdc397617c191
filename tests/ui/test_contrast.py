"""Every colour pair the window draws, in every look, against WCAG 2.2 AA: 4.5:1 for text,
3:1 for the parts of a control one needs to see (icons, field edges, the focus ring).

The ratios are computed from the looks' colours (chatdesk/ui/theme/colours.py) with WCAG's
relative luminance; the Qt palette and the style sheets are checked to use those colours."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QPalette

from chatdesk.ui.theme import palette_for
from chatdesk.ui.theme.colours import LOOKS, PAIRS, PART, ROLES, TEXT, Look, colours
from chatdesk.ui.theme.sheet import app_sheet, window_sheet


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


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
        "tooltip",
        "warning",  # the context gauge's figures from 80 %
        "temporary_tint",
        "find",
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


def test_the_rendered_markdown_follows_the_looks_text_colours() -> None:
    """The core draws formulas and secondary text of rendered Markdown itself, without the UI:
    its values must stay the looks' text and quiet text."""
    from chatdesk.core.render.palette import DARK, LIGHT

    light, dark = colours("light"), colours("dark")
    assert (LIGHT.text, LIGHT.muted) == (light["text"], light["text_quiet"])
    assert (DARK.text, DARK.muted) == (dark["text"], dark["text_quiet"])
