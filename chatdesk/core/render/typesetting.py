"""TeX math to pixels: matplotlib's mathtext, without what its front door imports for figures.

`MathTextParser("agg").parse` first imports the Agg backend (`matplotlib.backends.backend_agg`)
to read one setting, how glyphs are hinted; that module brings matplotlib's figure machinery
with it (backend_bases, artists, widgets, text, fontTools, hashlib and OpenSSL): ~10 MB of the
render child's memory, and ~0.1 s, for a flag. The steps `parse` takes after that import are
taken here, on the same parser, fonts and rasteriser, with the flag read from the same setting:
the pixels are the same (tests/core/render/test_formulas.py compares them).

Those steps use matplotlib's private `_mathtext` module. Where they are not as this module knows
them (a matplotlib before 3.10, a hinting setting not listed, any error on a trial formula),
the public `MathTextParser` is used instead: then only the memory is lost, never a formula.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

# `text.hinting` values to FreeType load flags, as backend_agg.get_hinting_flag maps them.
_HINTING = {
    "default": "DEFAULT",
    "no_autohint": "NO_AUTOHINT",
    "force_autohint": "FORCE_AUTOHINT",
    "no_hinting": "NO_HINTING",
    True: "FORCE_AUTOHINT",
    False: "NO_HINTING",
    "either": "DEFAULT",
    "native": "NO_AUTOHINT",
    "auto": "FORCE_AUTOHINT",
    "none": "NO_HINTING",
}

Typeset = Callable[[str, float, "FontProperties"], Any]


def typeset(text: str, dpi: float, font: FontProperties) -> Any:
    """`text` ("$…$", mathtext's syntax) drawn at `dpi` in `font` (its math_fontfamily "cm"):
    its coverage, a 2-D uint8 array. Raises what mathtext raises on what it cannot typeset."""
    return _typesetter()(text, dpi, font)


@lru_cache(maxsize=1)
def _typesetter() -> Typeset:
    light = _light_typesetter()
    if light is not None:
        from matplotlib.font_manager import FontProperties

        try:
            light("$x^2$", 72.0, FontProperties(size=14, math_fontfamily="cm"))
        except Exception:  # not the steps this module knows: the public way
            light = None
    return light or _public_typesetter()


def _light_typesetter() -> Typeset | None:
    import matplotlib
    from matplotlib import _mathtext

    try:
        from matplotlib.ft2font import LoadFlags  # matplotlib 3.10 and later
    except ImportError:
        return None
    flag = _HINTING.get(matplotlib.rcParams["text.hinting"])
    if flag is None:
        return None
    load_flags = LoadFlags[flag]
    antialiased = bool(matplotlib.rcParams["text.antialiased"])
    parser = _mathtext.Parser()

    def light(text: str, dpi: float, font: FontProperties) -> Any:
        fonts = _mathtext.BakomaFonts(font, load_flags)  # the "cm" fontset
        box = parser.parse(text, fonts, font.get_size_in_points(), dpi)
        return _mathtext.ship(box).to_raster(antialiased=antialiased).image

    return light


def _public_typesetter() -> Typeset:
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("agg")

    def public(text: str, dpi: float, font: FontProperties) -> Any:
        return parser.parse(text, dpi=dpi, prop=font).image

    return public
