"""A sanitised SVG as it is held and written (chatdesk/core/render/svg.py): only the kept
elements, attributes, style declarations and text, written the same way every time so that
the same picture gives the same bytes (and so one cache entry by its hash)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from chatdesk.core.render.svg_css import written

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
# The namespaces the document names: identifiers, never fetched. `href` is written as
# `xlink:href`, which Qt's SVG renderer reads and browsers read as well as a bare `href`.
NAMESPACES = f' xmlns="{SVG}" xmlns:xlink="{XLINK}"'
_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


@dataclass(eq=False)
class Node:
    """A kept element. `attributes` holds a local link as "href", whichever way it was
    written; `style` its style attribute's declarations; `dropped` is set when a check after
    reading removes it (a `use` of nothing, a loop of references)."""

    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    style: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    dropped: bool = False


def walk(root: Node) -> Iterator[Node]:
    """Every kept element under `root` and itself, in document order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.dropped:
            yield node
            stack.extend(child for child in reversed(node.children) if isinstance(child, Node))


def write(root: Node) -> str:
    out: list[str] = []
    _write(root, out, NAMESPACES)
    out.append("\n")
    return "".join(out)


def _write(node: Node, out: list[str], namespaces: str = "") -> None:
    if node.dropped:
        return
    pairs = [
        ("xlink:href" if name == "href" else name, value) for name, value in node.attributes.items()
    ]
    if node.style:
        pairs.append(("style", written(node.style)))
    out.append(f"<{node.name}{namespaces}")
    out.extend(f' {name}="{value.translate(_ATTRIBUTE)}"' for name, value in sorted(pairs))
    children = [child for child in node.children if isinstance(child, str) or not child.dropped]
    if not children:
        out.append("/>")
        return
    out.append(">")
    for child in children:
        if isinstance(child, str):
            out.append(child.translate(_TEXT))
        else:
            _write(child, out)
    out.append(f"</{node.name}>")
