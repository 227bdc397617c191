"""A mark's letter reads on its disc: of the two letter colours, the badge draws the one of the
higher contrast with the disc (WCAG 2.2, tests/wcag.py), saturated discs included."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.ui.badges import badge_pixmap
from chatdesk.ui.theme.colours import MARK_DEFAULT, ON_DARK_MARK, ON_LIGHT_MARK, PROVIDER_MARKS
from tests.wcag import contrast

DISCS = {**PROVIDER_MARKS, "an assistant without a colour": MARK_DEFAULT}


def _letter(disc: str) -> str:
    """The colour of the letter drawn on the disc: of its pixels, the commonest one that is
    neither the disc's nor a blend at its edge (the two letter colours are all it can be)."""
    image = badge_pixmap("Hm", None, disc, 64).toImage()
    counts: dict[str, int] = {}
    for x in range(image.width()):
        for y in range(image.height()):
            name = image.pixelColor(x, y).name()
            if name in (ON_LIGHT_MARK, ON_DARK_MARK):
                counts[name] = counts.get(name, 0) + 1
    assert counts, f"no letter drawn on {disc}"
    return max(counts, key=lambda name: counts[name])


@pytest.mark.parametrize("disc", DISCS.values(), ids=list(DISCS))
def test_the_letter_is_the_more_readable_of_the_two(qapp: QApplication, disc: str) -> None:
    drawn = _letter(disc)
    other = ON_DARK_MARK if drawn == ON_LIGHT_MARK else ON_LIGHT_MARK
    assert contrast(drawn, disc) >= contrast(other, disc), (
        f"{drawn} on {disc}: {contrast(drawn, disc):.2f}:1, {other}: {contrast(other, disc):.2f}:1"
    )
