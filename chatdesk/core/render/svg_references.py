"""The references between a sanitised SVG's parts (chatdesk/core/render/svg.py): each `href`
and `url(#id)` must name a part that exists and is of the kind it asks for (a fill a gradient
or a pattern, a clip a clip path …), or it is dropped, so a renderer never looks one up in
vain; a loop of references is cut where it closes; and what the references draw again is
counted, so a picture that draws a group that draws a group … (the `use` bomb) is refused
before a renderer tries it."""

from __future__ import annotations

from chatdesk.core.render.svg_allowed import local_urls
from chatdesk.core.render.svg_tree import Node, walk

_SHAPES = frozenset({"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"})
_GRADIENTS = frozenset({"linearGradient", "radialGradient"})
_PAINT = _GRADIENTS | {"pattern"}
# What an element's `href` may name.
HREF_TARGETS = {
    "use": _SHAPES | {"g", "symbol", "svg", "text", "use"},
    "textPath": _SHAPES,
    "linearGradient": _GRADIENTS,
    "radialGradient": _GRADIENTS,
    "pattern": frozenset({"pattern"}),
}
# What a property's url(#id) may name.
URL_TARGETS = {
    "fill": _PAINT,
    "stroke": _PAINT,
    "clip-path": frozenset({"clipPath"}),
    "mask": frozenset({"mask"}),
    "marker": frozenset({"marker"}),
    "marker-start": frozenset({"marker"}),
    "marker-mid": frozenset({"marker"}),
    "marker-end": frozenset({"marker"}),
}
# Parts drawn again wherever they are referenced (a gradient's stops are only read).
_DRAWN_AGAIN = frozenset({"pattern", "clipPath", "mask", "marker"})
_NEEDS_HREF = frozenset({"use", "textPath"})

# (the dictionary holding the reference, its key, the part named, whether it is drawn there)
_Reference = tuple[dict[str, str], str, Node, bool]


class TooManyReferences(Exception):
    """References that draw more than allowed, or lead through too many parts."""


def settle(root: Node, *, max_drawn: int, max_depth: int) -> None:
    """Drops the references that name nothing fit and those that close a loop; raises
    `TooManyReferences` when the picture with its references drawn holds more than
    `max_drawn` elements, or a chain of references is longer than `max_depth`."""
    nodes = list(walk(root))
    ids = _ids(nodes)
    references = {node: _references(node, ids) for node in nodes}
    _Costs(references, max_drawn, max_depth).of(root)


def _ids(nodes: list[Node]) -> dict[str, Node]:
    """Each id's element: the first to hold it (as browsers take it); a later one loses it."""
    found: dict[str, Node] = {}
    for node in nodes:
        name = node.attributes.get("id")
        if name is not None and found.setdefault(name, node) is not node:
            del node.attributes["id"]
    return found


def _references(node: Node, ids: dict[str, Node]) -> list[_Reference]:
    found: list[_Reference] = []
    href = node.attributes.get("href")
    target = ids.get(href[1:]) if href else None
    if target is not None and target.name in HREF_TARGETS[node.name]:
        found.append((node.attributes, "href", target, node.name == "use"))
    else:
        node.attributes.pop("href", None)
        node.dropped = node.name in _NEEDS_HREF
    for where in (node.attributes, node.style):
        for key, value in list(where.items()):
            named = [ids.get(name) for name in local_urls(value)]
            if not named:
                continue
            fit = URL_TARGETS.get(key, frozenset())
            parts = [part for part in named if part is not None and part.name in fit]
            if len(parts) < len(named):
                del where[key]
            else:
                found.extend((where, key, part, part.name in _DRAWN_AGAIN) for part in parts)
    return found


class _Costs:
    """How many elements drawing a part draws, its references' parts included, and how long
    the longest chain of references from it is (each part measured once and remembered, so a
    bomb is measured in as many steps as it has parts)."""

    def __init__(
        self, references: dict[Node, list[_Reference]], max_drawn: int, max_depth: int
    ) -> None:
        self._references = references
        self._max_drawn = max_drawn
        self._max_depth = max_depth
        self._known: dict[Node, tuple[int, int]] = {}
        self._open: list[Node] = []  # the chain of references being followed

    def of(self, part: Node) -> tuple[int, int]:
        """(elements drawn, references deep) for `part`."""
        known = self._known.get(part)
        if known is not None:
            return known
        if len(self._open) > self._max_depth:
            raise TooManyReferences
        self._open.append(part)
        drawn = depth = 0
        for node in walk(part):
            more, deeper = self._referenced(node)
            drawn, depth = drawn + 1 + more, max(depth, deeper)
            if drawn > self._max_drawn or depth > self._max_depth:
                raise TooManyReferences
        self._open.pop()
        self._known[part] = drawn, depth
        return drawn, depth

    def _referenced(self, node: Node) -> tuple[int, int]:
        drawn = depth = 0
        for where, key, part, again in self._references.get(node, ()):
            if key not in where:
                continue  # cut already
            if part in self._open:  # it leads back to a part being drawn: a loop
                del where[key]
                node.dropped = node.dropped or (key == "href" and node.name in _NEEDS_HREF)
                continue
            more, deeper = self.of(part)
            if key in where:
                drawn += more if again else 0
                depth = max(depth, deeper + 1)
        return drawn, depth
