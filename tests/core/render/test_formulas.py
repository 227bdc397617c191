"""Formulas: drawn once, by matplotlib only when a message has math, never through a GUI."""

from __future__ import annotations

import subprocess
import sys

from chatdesk.core.render.formulas import formula_image

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
"""


def test_matplotlib_loads_only_for_math_and_no_gui_backend() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split("\n")[:3] == ["False", "True", "[]"]


def test_formulas_are_drawn_once_per_look() -> None:
    first = formula_image("a^2 + b^2 = c^2", dark=False, display=False)
    again = formula_image("a^2 + b^2 = c^2", dark=False, display=False)
    dark = formula_image("a^2 + b^2 = c^2", dark=True, display=False)
    assert first is not None
    assert again is first
    assert dark is not None
    assert dark.name != first.name


def test_formula_past_its_deadline_is_skipped_unless_already_drawn() -> None:
    drawn = formula_image("x + y", dark=False, display=False)
    assert formula_image("x + y", dark=False, display=False, deadline=0.0) is drawn
    assert formula_image("x + y + z_{late}", dark=False, display=False, deadline=0.0) is None
    assert formula_image("x + y + z_{late}", dark=False, display=False) is not None


def test_display_formulas_are_larger() -> None:
    inline = formula_image("\\sum_i x_i", dark=False, display=False)
    display = formula_image("\\sum_i x_i", dark=False, display=True)
    assert inline is not None
    assert display is not None
    assert display.height > inline.height


def test_common_latex_spellings_mathtext_lacks_are_still_drawn() -> None:
    for formula in (r"h \le \log_b n", r"x \ge 0", r"a \implies b", r"p \land q"):
        assert formula_image(formula, dark=False, display=True) is not None, formula
