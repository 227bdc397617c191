"""What a sanitised SVG may hold (chatdesk/core/render/svg.py): the elements that draw, their
attributes, and the values and CSS they may carry. An allowlist: anything not named here is
dropped, so an element or attribute a future SVG version adds stays out until it is named.

No drawn value needs a colon, a backslash or a function that fetches, while every way of
loading or running something does (`javascript:`, `http:`, `data:`, a CSS escape hiding
`url`, `image-set()`, `expression()`), so a value holding any of them is dropped whole.
"""

from __future__ import annotations

import re

# Elements kept as they are. Not here, so dropped with everything inside them: script,
# foreignObject (HTML inside), image and feImage (they load a picture; drawn pictures come as
# shapes), every animation element (animate, set, animateMotion … can change an href or any
# other attribute after it was checked), filters, fonts, cursor, view, metadata.
ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "style",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "pattern",
        "clipPath",
        "mask",
        "marker",
    }
)
# Elements whose text is kept: the rest only hold layout whitespace, or nothing drawn.
TEXT_HOLDERS = frozenset({"text", "tspan", "textPath", "title", "desc", "style"})
# Kept as a plain group (inside text, as a span): a link's shapes and words still show, and
# the link is gone. `switch` shows each of its choices, as none of its tests is kept.
AS_GROUP = frozenset({"a", "switch"})

# Attributes that place, shape, paint or name what is drawn, on any kept element.
ATTRIBUTES = frozenset(
    {
        "id",
        "class",
        "version",
        "viewBox",
        "preserveAspectRatio",
        "transform",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "fr",
        "width",
        "height",
        "d",
        "points",
        "pathLength",
        "offset",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "startOffset",
        "method",
        "spacing",
        "side",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "markerUnits",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        "type",  # a style sheet's, checked as text/css
        "xml:space",
        "xml:lang",
        "lang",
    }
)
# Presentation properties: attributes on any kept element, and the properties CSS may set.
PROPERTIES = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "color",
        "display",
        "visibility",
        "overflow",
        "clip-path",
        "clip-rule",
        "mask",
        "marker",
        "marker-start",
        "marker-mid",
        "marker-end",
        "stop-color",
        "stop-opacity",
        "font",
        "font-family",
        "font-size",
        "font-size-adjust",
        "font-stretch",
        "font-style",
        "font-variant",
        "font-weight",
        "text-anchor",
        "text-decoration",
        "dominant-baseline",
        "alignment-baseline",
        "baseline-shift",
        "letter-spacing",
        "word-spacing",
        "writing-mode",
        "direction",
        "unicode-bidi",
        "white-space",
        "text-rendering",
        "shape-rendering",
        "image-rendering",
        "color-interpolation",
        "color-rendering",
        "paint-order",
        "vector-effect",
        "transform-origin",
        "pointer-events",
    }
)
# Properties only CSS sets: the page around an inline picture, and motion a diagram's style
# sheet asks for (a dashed edge that runs); none of them can name another resource.
CSS_ONLY = frozenset(
    {
        "background-color",
        "max-width",
        "max-height",
        "line-height",
        "animation",
        "animation-name",
        "animation-duration",
        "animation-timing-function",
        "animation-delay",
        "animation-iteration-count",
        "animation-direction",
        "animation-fill-mode",
        "transform",
    }
)
# CSS and attribute functions that compute a colour, a length or a move; none fetches.
FUNCTIONS = frozenset(
    {
        "rgb",
        "rgba",
        "hsl",
        "hsla",
        "hwb",
        "lab",
        "lch",
        "oklab",
        "oklch",
        "calc",
        "min",
        "max",
        "clamp",
        "var",
        "matrix",
        "translate",
        "translatex",
        "translatey",
        "scale",
        "scalex",
        "scaley",
        "rotate",
        "skewx",
        "skewy",
        "cubic-bezier",
        "steps",
    }
)

# An id as pictures write them: browsers also take one that starts with a digit.
NAME = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"
ID = re.compile(NAME)
LOCAL_HREF = re.compile(rf"#({NAME})")
# url(#id), url('#id'), url("#id"): the one reference to the picture's own parts.
LOCAL_URL = re.compile(rf"""url\(\s*(["']?)#({NAME})\1\s*\)""", re.IGNORECASE)
_FUNCTION = re.compile(r"([A-Za-z][A-Za-z0-9-]*)\s*\(")
# A value of characters, and quoted strings closed on the same line: no backslash, no way out.
_VALUE = re.compile(r"""(?:[^"'\\<>@:;{}]|"[^"\\\n<>:]*"|'[^'\\\n<>:]*')*""")


def safe_value(value: str, *, urls: bool) -> bool:
    """Whether an attribute's or a declaration's value may be kept: only the functions above,
    `url()` only to a part of the picture itself (and not at all where `urls` is False)."""
    if not _VALUE.fullmatch(value):
        return False
    for found in _FUNCTION.finditer(value):
        name = found[1].lower()
        if name == "url":
            local = LOCAL_URL.match(value, found.start())
            if not urls or local is None:
                return False
        elif name not in FUNCTIONS:
            return False
    return True


def tidy(value: str) -> str:
    """A kept value written one way: its spaces collapsed, each `url()` as `url(#id)` (the
    only form Qt's SVG renderer reads)."""
    return LOCAL_URL.sub(lambda found: f"url(#{found[2]})", " ".join(value.split()))


def local_urls(value: str) -> list[str]:
    """The ids a value's `url(#id)` references name, in order."""
    return [found[2] for found in LOCAL_URL.finditer(value)]
