"""Reading a sanitised SVG the way a safety reviewer would: nothing that runs, loads or leaves
the picture, whatever the sanitiser's own lists say (this file keeps its own)."""

from __future__ import annotations

import re
from collections import Counter
from xml.parsers import expat

# The namespace declarations the sanitiser writes on the root: names, never fetched.
DECLARED = (
    ' xmlns="http://www.w3.org/2000/svg"',
    ' xmlns:xlink="http://www.w3.org/1999/xlink"',
)
FORBIDDEN = (
    "script",
    "javascript:",
    "http:",
    "https:",
    "file:",
    "data:",
    "foreignobject",
    "iframe",
    "<!entity",
    "<!doctype",
    "<?",
    "@import",
    "expression(",
    "\\",
)
_EVENT = re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE)
_URL = re.compile(r"""url\(\s*["']?(.)""", re.IGNORECASE)
DRAWING = {
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


def assert_clean_svg(result: str) -> None:
    outside = result
    for declaration in DECLARED:
        assert outside.count(declaration) == 1, declaration
        outside = outside.replace(declaration, "")
    lowered = outside.lower()
    for word in FORBIDDEN:
        assert word not in lowered, word
    assert not _EVENT.search(outside), _EVENT.search(outside)
    for found in _URL.finditer(outside):
        assert found[1] == "#", found[0]
    for name, attributes in elements(result):
        assert name in DRAWING, name
        for key, value in attributes.items():
            assert not key.lower().startswith("on"), key
            if key.endswith("href"):
                assert value.startswith("#"), value


def elements(result: str) -> list[tuple[str, dict[str, str]]]:
    """Each element's local name and its attributes (a namespace's prefix kept), in order."""
    found: list[tuple[str, dict[str, str]]] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attributes: found.append((name, attributes))
    parser.Parse(result, True)
    return found


def counts(result: str) -> Counter[str]:
    return Counter(name for name, _ in elements(result))
