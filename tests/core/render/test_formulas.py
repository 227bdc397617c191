"""Formulas: drawn once, by matplotlib only when a message has math, never through a GUI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chatdesk.core.render import typesetting
from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.formulas import formula_image
from tests.core.render.looks import NIGHT

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

CHECK = """
import sys
from chatdesk.core.render import render_markdown
render_markdown("# Plain\\n\\nNo math here, only $5 and `code`.\\n\\n```python\\nx = 1\\n```")
print("matplotlib" in sys.modules)
render_markdown("Now $e^{i\\\\pi} + 1 = 0$")
print("matplotlib" in sys.modules)
gui = [m for m in sys.modules if m.startswith(("PySide6", "PyQt", "tkinter", "matplotlib.pyplot"))]
gui += [m for m in sys.modules if m.startswith("matplotlib.backends.backend_") and "agg" not in m]
print(gui)
print([m for m in ("matplotlib.backends.backend_agg", "matplotlib.figure") if m in sys.modules])
"""


def test_matplotlib_loads_only_for_math_and_no_gui_backend() -> None:
    """Nor the Agg backend and the figure machinery it brings (~10 MB): mathtext alone."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split("\n")[:4] == ["False", "True", "[]", "[]"]


FORMULAS = [
    r"x^2",
    r"\frac{a}{b} + \sqrt{x}",
    r"\int_0^1 \alpha\,dx = \sum_{i=1}^n \beta_i",
    r"\mathbb{R}^n \to \text{word} \leq \infty",
    r"\left(\frac{1}{2}\right)^{n} \hat{x} \vec{v} \mathcal{L}",
    r"e^{i\pi} + 1 = 0",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_are_drawn_as_matplotlibs_own_parser_draws_them(formula: str) -> None:
    """The steps taken without the Agg backend give the very pixels `MathTextParser` gives."""
    from matplotlib.font_manager import FontProperties

    assert typesetting._typesetter().__name__ == "light"  # not the fallback, in this version
    light, public = typesetting._typesetter(), typesetting._public_typesetter()
    for size in (14, 16):
        for dpi in (72.0, 108.0, 144.0):
            font = FontProperties(size=size, math_fontfamily="cm")
            drawn, expected = light(f"${formula}$", dpi, font), public(f"${formula}$", dpi, font)
            assert drawn.shape == expected.shape
            assert (drawn == expected).all(), (size, dpi)


def test_formulas_are_drawn_once_per_ink() -> None:
    first = formula_image("a^2 + b^2 = c^2", DOCUMENT.text, display=False)
    again = formula_image("a^2 + b^2 = c^2", DOCUMENT.text, display=False)
    night = formula_image("a^2 + b^2 = c^2", NIGHT.text, display=False)
    assert first is not None
    assert again is first
    assert night is not None
    assert night.name != first.name


def test_formula_past_its_deadline_is_skipped_unless_already_drawn() -> None:
    drawn = formula_image("x + y", DOCUMENT.text, display=False)
    assert formula_image("x + y", DOCUMENT.text, display=False, deadline=0.0) is drawn
    assert formula_image("x + y + z_{late}", DOCUMENT.text, display=False, deadline=0.0) is None
    assert formula_image("x + y + z_{late}", DOCUMENT.text, display=False) is not None


def test_display_formulas_are_larger() -> None:
    inline = formula_image("\\sum_i x_i", DOCUMENT.text, display=False)
    display = formula_image("\\sum_i x_i", DOCUMENT.text, display=True)
    assert inline is not None
    assert display is not None
    assert display.height > inline.height


def test_common_latex_spellings_mathtext_lacks_are_still_drawn() -> None:
    for formula in (r"h \le \log_b n", r"x \ge 0", r"a \implies b", r"p \land q"):
        assert formula_image(formula, DOCUMENT.text, display=True) is not None, formula


def _ink_rows(png: bytes) -> list[list[bool]]:
    """Which pixels carry ink (alpha over a quarter), row by row."""
    import zlib

    # the PNG chatdesk writes: one IDAT, RGBA, filter byte 0 on every row
    width = int.from_bytes(png[16:20], "big")
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    raw = zlib.decompress(png[start : start + length])
    stride = 1 + 4 * width
    return [
        [raw[row * stride + 1 + 4 * x + 3] > 64 for x in range(width)]
        for row in range(len(raw) // stride)
    ]


def test_formulas_are_drawn_pixel_for_pixel_for_the_screen_and_keep_thin_strokes() -> None:
    plain = formula_image("a = b", DOCUMENT.text, display=False, scale=1.0)
    dense = formula_image("a = b", DOCUMENT.text, display=False, scale=2.0)
    assert plain is not None
    assert dense is not None
    # about the same size on screen (mathtext rounds its boxes at each resolution)
    assert abs(dense.width - plain.width) <= 2
    assert abs(dense.height - plain.height) <= 2
    rows = _ink_rows(plain.png)
    assert (len(rows[0]), len(rows)) == (plain.width, plain.height)  # shown as drawn, no shrink
    dense_rows = _ink_rows(dense.png)
    assert len(dense_rows[0]) >= 2 * dense.width - 1  # twice the pixels on a 2x screen
    # the "=" keeps both bars: some columns in the middle cross two separate runs of ink
    middle = range(plain.width // 3, plain.width * 2 // 3)
    runs = [_runs([row[x] for row in rows]) for x in middle]
    assert runs.count(2) >= 3, runs


def _runs(column: list[bool]) -> int:
    return sum(ink and not before for before, ink in zip([False, *column], column, strict=False))


def test_formulas_grow_with_the_text_around_them() -> None:
    small = formula_image(r"x^2 + y", DOCUMENT.text, display=False, text_px=13)
    large = formula_image(r"x^2 + y", DOCUMENT.text, display=False, text_px=26)
    assert small is not None
    assert large is not None
    assert 1.6 < large.height / small.height < 2.2  # twice the text, about twice the formula
    # Computer Modern's small letters are smaller than an interface font's: drawn a fifth
    # larger, an inline formula stands about as tall as a line of 13 px text (~15-20 px).
    assert 13 <= small.height <= 24
