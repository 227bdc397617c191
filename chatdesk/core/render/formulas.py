"""TeX formulas as PNG pictures, drawn by matplotlib's mathtext (no browser engine, no LaTeX).

matplotlib is imported on the first formula only: it costs ~0.5 s and tens of MB, which a
conversation without math never pays. mathtext draws straight into an Agg buffer, so no GUI
backend is involved; matplotlib only reads its font cache (built once in its usual cache dir).
mathtext has no multi-line environments, so `aligned`/`gather`-style formulas are drawn line by
line and stacked. A formula mathtext cannot parse (unknown commands, bad syntax) returns None and
is shown as its source; so is every formula without matplotlib (the `formulas` extra, decision
0075, not installed).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import time
import warnings
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.model import picture_name
from chatdesk.core.render.typesetting import typeset

MAX_FORMULA_CHARS = 2_000
# Computer Modern's small letters are ~0.43 of its size, the interface fonts' ~0.53: drawn
# a fifth larger than the text around it, a formula's letters match the text's.
_INLINE_SIZE = 1.2
_DISPLAY_SIZE = 1.35  # a displayed formula stands out a little
_SMALLEST_PX, _LARGEST_PX = 8, 48
_MAX_SCALE = 4.0
# A displayed formula is set in TeX's display style, as the peers set it: its fractions at
# full size, not shrunk to the size of an exponent as within a line (mathtext's own \frac).
_FRACTION = re.compile(r"\\frac(?![A-Za-z])")
# Ink coverage → opacity: mathtext's strokes are not hinted to the pixel grid, so at text
# size their edges spread into grey and the formula reads soft and lighter than the hinted
# text beside it; a gamma on the coverage darkens those edges, not the solid strokes.
_INK_GAMMA = 1.4


@dataclass(frozen=True)
class FormulaImage:
    name: str  # resource name, e.g. "math:<hash>@2x.png" (model.picture_name, the pixel ratio)
    png: bytes
    width: int  # CSS pixels
    height: int


_CACHE_SIZE = 512
_cache: OrderedDict[tuple[str, str, bool, float, int], FormulaImage | None] = OrderedDict()


def formula_image(
    formula: str,
    ink: str,
    display: bool,
    deadline: float = math.inf,
    scale: float = 1.0,
    text_px: int = 13,
) -> FormulaImage | None:
    """The formula drawn in `ink` (the palette's text colour, "#rrggbb": all a picture takes
    of the palette, so all it is remembered by) on a transparent background, as large as text
    of `text_px` pixels around it, for a screen of device pixel ratio `scale` (its pixels are
    `scale` × its size), or None when mathtext cannot draw it. Drawn formulas are remembered
    (least recently used go first); one not drawn yet is skipped (None, not remembered) once
    `time.monotonic()` is past `deadline`, so a message with hundreds of formulas cannot
    exceed its time."""
    scale = min(max(round(scale, 2), 1.0), _MAX_SCALE)
    text_px = min(max(text_px, _SMALLEST_PX), _LARGEST_PX)
    key = (formula, ink, display, scale, text_px)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    if time.monotonic() > deadline:
        return None
    image = _cache[key] = _drawn_formula(formula, ink, display, scale, text_px)
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return image


def _drawn_formula(
    formula: str, ink: str, display: bool, scale: float, text_px: int = 13
) -> FormulaImage | None:
    source = formula.strip()
    if not source or len(source) > MAX_FORMULA_CHARS:
        return None
    size = round(text_px * (_DISPLAY_SIZE if display else _INLINE_SIZE))
    if display:
        source = _FRACTION.sub(r"\\dfrac", source)
    pixels = _draw(source, size, scale)
    if pixels is None and ("\\\\" in source or "\\begin" in source):
        pixels = _draw_lines(source, size, scale)
    if pixels is None:
        return None
    png = _png(pixels, ink)
    height, width = pixels.shape
    name = f"{picture_name('math', png)}@{scale:g}x.png"  # its pixel ratio, as Qt names one
    return FormulaImage(name, png, math.ceil(width / scale), math.ceil(height / scale))


# LaTeX spellings mathtext does not know, mapped to ones it does.
_ALIAS_FOR = {
    "le": r"\leq",
    "ge": r"\geq",
    "lt": "<",
    "gt": ">",
    "tfrac": r"\frac",
    "implies": r"\Rightarrow",
    "impliedby": r"\Leftarrow",
    "iff": r"\Leftrightarrow",
    "land": r"\wedge",
    "lor": r"\vee",
    "lnot": r"\neg",
}
_ALIASES = re.compile(r"\\(" + "|".join(_ALIAS_FOR) + r")(?![A-Za-z])")


def _draw(source: str, size_px: int, scale: float) -> Any:
    """The formula's coverage (0..255) as a 2-D uint8 array, or None."""
    try:
        from matplotlib.font_manager import FontProperties
    except ImportError:  # the formulas extra is not installed
        return None

    font = FontProperties(size=size_px, math_fontfamily="cm")
    # A lone "$" inside would end mathtext's math mode early; mathtext refuses line breaks.
    escaped = source.replace("\\$", "\0").replace("$", "\\$").replace("\0", "\\$")
    escaped = _ALIASES.sub(lambda m: _ALIAS_FOR[m.group(1)], escaped)
    text = "$" + " ".join(escaped.split()) + "$"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing glyphs are drawn as boxes: good enough
            image = typeset(text, 72 * scale, font)
    except Exception:  # mathtext raises assorted errors on input it cannot typeset
        return None
    return image if image.size else None


_ENVIRONMENT = re.compile(
    r"\\(?:begin|end)\{(?:aligned|align|gathered|gather|equation|split|eqnarray|multline)\*?\}"
)
_LINE_BREAK = re.compile(r"\\\\(?:\[[^\]]*\])?")  # \\ and \\[4pt]
_MAX_LINES = 20


def _draw_lines(source: str, size_px: int, scale: float) -> Any:
    """A multi-line formula as its lines drawn one by one, centred under each other."""
    body = _ENVIRONMENT.sub("", source).replace("&", "")
    lines = [line for line in _LINE_BREAK.split(body) if line.strip()]
    if not 1 < len(lines) <= _MAX_LINES:
        return None
    drawn = [_draw(line, size_px, scale) for line in lines]
    if any(image is None for image in drawn):
        return None
    return _stacked(drawn, gap=round(size_px * scale / 3))


def _stacked(images: list[Any], gap: int) -> Any:
    import numpy

    width = max(image.shape[1] for image in images)
    height = sum(image.shape[0] for image in images) + gap * (len(images) - 1)
    canvas = numpy.zeros((height, width), dtype=numpy.uint8)
    top = 0
    for image in images:
        rows, columns = image.shape
        left = (width - columns) // 2
        canvas[top : top + rows, left : left + columns] = image
        top += rows + gap
    return canvas


def math_installed() -> bool:
    """Whether matplotlib (the `formulas` extra) is installed, asked of the import path."""
    importlib.invalidate_caches()  # one installed while chatdesk runs is found
    return importlib.util.find_spec("matplotlib") is not None


def load_math() -> bool:
    """Import matplotlib's mathtext and draw one formula (reading, or on a first run building,
    its font cache), so that later formulas cost only their drawing; False when matplotlib is
    not installed. The render worker does this on its own clock, apart from any message's
    time bound."""
    if not math_installed():
        return False
    _drawn_formula("x^2", DOCUMENT.text, display=False, scale=1.0)
    return True


def _png(coverage: Any, colour: str) -> bytes:
    """An RGBA PNG of `coverage` as the alpha channel over a solid `colour`."""
    import numpy

    height, width = coverage.shape
    opacity = numpy.arange(256) / 255.0
    coverage = numpy.round(opacity ** (1 / _INK_GAMMA) * 255).astype(numpy.uint8)[coverage]
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    rows = numpy.zeros((height, 1 + 4 * width), dtype=numpy.uint8)  # column 0: filter "none"
    pixels = rows[:, 1:].reshape(height, width, 4)
    pixels[..., 0], pixels[..., 1], pixels[..., 2] = red, green, blue
    pixels[..., 3] = coverage
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 6, 0, 0, 0))
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data).to_bytes(4, "big")
    return len(data).to_bytes(4, "big") + kind + data + crc
