"""Formulas in the render child: what drawing one costs, the first time it is shown.

A formula is drawn once per look, text size and pixel ratio and then remembered
(`chatdesk/core/render/formulas.py`); what a new one costs is what an answer with maths waits
for in the render child. For a line's formula and three displayed ones (a fraction, a sum and
an integral, a three-line alignment), at the text's size of 13 px and a pixel ratio of 1 and 2:
the median of `formula_image` with the memory emptied before each run, beside matplotlib's
mathtext laying out and rasterising the same formula at the same size (`typesetting.typeset`,
what any drawing of it costs). The math library is loaded first, as the render child does at
its start.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.common import INFO, report

TEXT_PX = 13
FORMULAS = (
    ("inline T(n) = c·n", r"T(n) = c \cdot n", False),
    ("display fraction", r"h \leq \log_{b} \frac{n + 1}{2}", True),
    ("display sum, integral", r"\sum_{i=1}^{n} x_i = \int_0^1 f(x)\,dx", True),
    (
        "display 3 lines",
        r"\begin{aligned} a &= b \\ c &= \frac{d}{e} \\ f &= g \end{aligned}",
        True,
    ),
)


def run(workdir: Path, quick: bool) -> None:
    from chatdesk.core.render import formulas
    from chatdesk.core.render.document_colours import DOCUMENT

    formulas.load_math()
    runs = 10 if quick else 40
    for ratio in (1.0, 2.0):
        for name, source, display in FORMULAS:
            samples = []
            for _ in range(runs):
                formulas._cache.clear()  # a formula not drawn yet
                started = time.perf_counter()
                drawn = formulas.formula_image(source, DOCUMENT.text, display, scale=ratio)
                samples.append((time.perf_counter() - started) * 1000)
                assert drawn is not None, name
            bare = _typeset_ms(source, display, ratio, runs)
            median = statistics.median(samples)
            report(f"{name}, {ratio:g}x", median, bare, "ms", INFO, bare="mathtext")


def _typeset_ms(source: str, display: bool, ratio: float, runs: int) -> float:
    """mathtext alone: the formula (its first line, when it has several) at the same size."""
    from matplotlib.font_manager import FontProperties

    from chatdesk.core.render.typesetting import typeset

    line = source.replace(r"\begin{aligned}", "").split(r"\\")[0].replace("&", "")
    size = round(TEXT_PX * (1.35 if display else 1.2))
    font = FontProperties(size=size, math_fontfamily="cm")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        typeset(f"${line}$", 72 * ratio, font)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)
