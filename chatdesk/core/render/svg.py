"""SVG that a model wrote or a user attached, made safe to draw inline (by Qt's SVG renderer or
a browser engine): untrusted, so kept only as far as it draws.

`sanitise_svg(document)` reads the document as XML and writes a new, self-contained SVG from
what is allowed (svg_allowed.py, svg_css.py): shapes, text, gradients, patterns, clips, masks,
markers, local references and the CSS that paints them. Nothing in the result can run, load or
reach outside the picture: no script, no event attribute, no link, no image, no animation, no
`href` or `url()` but to one of its own parts (svg_references.py). A document that is no SVG,
or past the limits below, raises `SvgRefused` with the reason in the user's words. The same
document always gives the same text, so a picture can be kept by the hash of its result.

The XML is read by the standard library's expat, with its handlers set here, rather than
through defusedxml (which the reading child uses for Office files): the limits are counted as
the elements arrive, so a bomb stops before any tree is built, and the DOCTYPE that matplotlib,
Illustrator and older Inkscape write (the SVG 1.1 DTD named, never read) is accepted while an
internal subset, any entity and any external reference are refused, where defusedxml refuses
either every DOCTYPE or none of them.
"""

from __future__ import annotations

from typing import NoReturn
from xml.parsers import expat

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.render.svg_allowed import (
    AS_GROUP,
    ATTRIBUTES,
    ELEMENTS,
    ID,
    LOCAL_HREF,
    PROPERTIES,
    TEXT_HOLDERS,
    safe_value,
    tidy,
)
from chatdesk.core.render.svg_css import declarations, sheet
from chatdesk.core.render.svg_references import HREF_TARGETS, TooManyReferences, settle
from chatdesk.core.render.svg_tree import SVG, XLINK, XML, Node, write
from chatdesk.core.units import format_size

MAX_BYTES = 2 * 1024 * 1024  # the document, as UTF-8 (or as the bytes given)
MAX_ELEMENTS = 50_000  # every element read, kept or not
MAX_DEPTH = 100  # elements inside elements
MAX_ATTRIBUTES = 100  # on one element
MAX_DRAWN = 100_000  # elements drawn, each reference's part counted where it is drawn again
MAX_REFERENCE_DEPTH = 16  # references followed through references
_TEXT_CONTENT = frozenset({"text", "tspan", "textPath"})


class SvgRefused(ChatdeskError):
    """An SVG that is not drawn, and why (`reason`, in the user's words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(tr("This SVG image cannot be shown: {reason}.", reason=reason))
        self.reason = reason


def sanitise_svg(document: str | bytes) -> str:
    """A clean, self-contained SVG document drawing what `document` draws safely. Text is read
    as it is; bytes in the encoding their byte-order mark or XML declaration names (UTF-8
    without one). Raises `SvgRefused`."""
    data = _encoded(document)
    reader = _Reader()
    parser = _parser(reader, "utf-8" if isinstance(document, str) else None)
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, LookupError, ValueError) as error:
        # ValueError: bytes in an encoding expat cannot read (Shift_JIS, any multi-byte one
        # but UTF-8 and UTF-16), or in none Python knows; or not decodable as declared
        raise SvgRefused(tr("it is not well-formed XML")) from error
    if reader.root is None:
        raise SvgRefused(tr("it is not an SVG image"))
    try:
        settle(reader.root, max_drawn=MAX_DRAWN, max_depth=MAX_REFERENCE_DEPTH)
    except TooManyReferences:
        raise SvgRefused(tr("its parts draw other parts too many times over")) from None
    return write(reader.root)


def _encoded(document: str | bytes) -> bytes:
    too_big = SvgRefused(tr("it is larger than {size}", size=format_size(MAX_BYTES)))
    if len(document) > MAX_BYTES:
        raise too_big
    if isinstance(document, bytes):
        return document
    try:
        data = document.encode("utf-8")
    except UnicodeError as error:  # a lone surrogate: no XML character
        raise SvgRefused(tr("it is not well-formed XML")) from error
    if len(data) > MAX_BYTES:
        raise too_big
    return data


def _parser(reader: _Reader, encoding: str | None) -> expat.XMLParserType:
    """expat reading namespaces ("uri name"), reading no DTD and fetching nothing."""
    parser = expat.ParserCreate(encoding, namespace_separator=" ")
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _entity
    parser.UnparsedEntityDeclHandler = _entity
    parser.ExternalEntityRefHandler = _external
    parser.SkippedEntityHandler = _entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    return parser


def _doctype(name: str, system: str | None, public: str | None, internal: int) -> None:
    """A DOCTYPE may name the SVG DTD, which is never read; it may not declare anything."""
    if internal:
        _entity()
    if name.rpartition(":")[2] != "svg":
        raise SvgRefused(tr("it is not an SVG image"))


def _entity(*_: object) -> NoReturn:
    """Any entity, declared, external or left unread: the billion laughs and XXE's ways in."""
    raise SvgRefused(tr("it declares entities or a document type of its own"))


def _external(context: str, base: str | None, system: str | None, public: str | None) -> int:
    """expat asking for an external entity's text: refused, so nothing outside is read."""
    _entity()


class _Reader:
    """expat's handlers: every element counted, the kept ones built into a tree of `Node`s."""

    def __init__(self) -> None:
        self.root: Node | None = None
        self._open: list[Node | None] = []  # None: dropped, with everything inside it
        self._elements = 0

    def start(self, name: str, attributes: list[str]) -> None:
        self._elements += 1
        if (
            self._elements > MAX_ELEMENTS
            or len(self._open) >= MAX_DEPTH
            or len(attributes) > 2 * MAX_ATTRIBUTES
        ):
            raise SvgRefused(tr("it has too many elements, attributes or levels of nesting"))
        if not self._open:
            self.root = _element(name, attributes, None)
            if self.root is None or self.root.name != "svg":
                raise SvgRefused(tr("it is not an SVG image"))
            self._open.append(self.root)
            return
        parent = self._open[-1]
        node = _element(name, attributes, parent) if parent is not None else None
        if parent is not None and node is not None:
            parent.children.append(node)
        self._open.append(node)

    def end(self, name: str) -> None:
        node = self._open.pop()
        if node is not None and node.name == "style":
            text = sheet("".join(child for child in node.children if isinstance(child, str)))
            node.children = [text] if text else []
            node.dropped = not text

    def text(self, data: str) -> None:
        node = self._open[-1] if self._open else None
        if node is not None and node.name in TEXT_HOLDERS:
            node.children.append(data)


def _element(name: str, attributes: list[str], parent: Node | None) -> Node | None:
    """The kept element for a start tag, or None when it is dropped."""
    space, _, local = name.rpartition(" ")
    if space not in ("", SVG):
        return None
    if local in AS_GROUP:
        local = "tspan" if parent is not None and parent.name in _TEXT_CONTENT else "g"
    elif local not in ELEMENTS:
        return None
    node = Node(local)
    for index in range(0, len(attributes), 2):
        _attribute(node, attributes[index], attributes[index + 1])
    language = node.attributes.pop("type", "text/css")  # a style sheet's; elsewhere, nothing
    if local == "style" and language.strip().lower() != "text/css":
        return None
    return node


def _attribute(node: Node, name: str, value: str) -> None:
    space, _, local = name.rpartition(" ")
    if space == XML:
        local = f"xml:{local}"
    elif space == XLINK and local == "href":
        if "href" not in node.attributes:  # a bare href is read first where both are given
            _link(node, value)
        return
    elif space:
        return
    if local == "href":
        _link(node, value)
    elif local == "style":
        node.style = declarations(value, urls=True)
    elif local == "id":
        if ID.fullmatch(value):
            node.attributes[local] = value
    elif (local in ATTRIBUTES or local in PROPERTIES) and safe_value(value, urls=True):
        node.attributes[local] = tidy(value)


def _link(node: Node, value: str) -> None:
    """Only a reference to a part of the picture, on an element that may have one."""
    value = value.strip()
    if node.name in HREF_TARGETS and LOCAL_HREF.fullmatch(value):
        node.attributes["href"] = value
    else:
        node.attributes.pop("href", None)
