"""What goes into a render and what comes out of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass, field

from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.palette import Palette


@dataclass(frozen=True)
class ReadingType:
    """The sizes a message is set in, in pixels unless named: its text's, its lines' height,
    the room between its blocks and inside its tables and code. The window makes one from its
    reading size on its type scale (chatdesk/ui/theme/reading.py); these defaults are the
    document's, of 15 px text. Frozen and hashable: formatted messages are kept per type."""

    text_px: int = 15
    """The text's size (its font's): formulas are drawn to match it, and a long table cell
    wraps in a column a multiple of it wide."""
    code_pt: float = 0.0
    """Code's size in points, as a screen reader reads it out (0: the text's size)."""
    line_height: int = 150
    """A line of text's height, in percent of the font's own line (paragraphs, lists' items,
    headings, a message shown as plain text; a table's rows keep the font's own)."""
    code_line_height: int = 135
    """A line of code's height, in percent of its font's own line."""
    paragraph: int = 12
    """Below a paragraph and a list, above and below a displayed formula."""
    item: int = 4
    """Between the items of a list, around a quote in a quote."""
    block: int = 16
    """Above and below a table, a code block and a quote."""
    heading: tuple[int, int] = (20, 8)
    """Above and below a heading."""
    cell: tuple[int, int] = (8, 12)
    """Inside a table's cell: above and below its text, and at its sides."""
    code: tuple[int, int] = (8, 14)
    """Inside a code block: above and below its head and code, and at their sides."""
    grounds_drawn: bool = False
    """The window draws some grounds itself, in its look's colours: a code block's rounded
    card, the chip of code within a line, a table's header row, under its chips
    (chatdesk/ui/conversation/grounds.py). The HTML then gives them none of their own (a chip's
    and a header cell's is `transparent`, which marks them)."""

    def spelled(self) -> str:
        """Every value, in order: the same text for the same type in every run, for keys kept
        on disk."""
        return repr(astuple(self))


@dataclass(frozen=True)
class RenderOptions:
    """How to render one message (or one chunk of a streaming message)."""

    palette: Palette = DOCUMENT
    """Colours for highlighted code, math and muted text: the window's look (its theme makes
    it), or without a window the document's."""
    load_remote_images: bool = False
    """The user clicked "Load images" for this message."""
    remote_image_data: Mapping[str, bytes] = field(default_factory=dict, hash=False)
    """url -> fetched bytes; used only when `load_remote_images` is set."""
    pixel_ratio: float = 1.0
    """The screen's device pixel ratio: formulas are drawn for it, pixel for pixel (a picture
    drawn larger and shrunk by the text engine loses its thin strokes: "=" turns into "-")."""
    reading: ReadingType = field(default_factory=ReadingType)
    """The sizes the message is set in: the window's reading type, or the document's."""
    code_block_offset: int = 0
    """Number of the first code block in the copy anchors, for rendering a later chunk of a
    message on its own (the chunk's `code_blocks[i]` is then copy target `offset + i`)."""
    citations: frozenset[int] = frozenset()
    """The numbers of the answer's sources: its "[N]" citations of them become links
    (`chatdesk:cite/N`, render/citations.py); empty for a message without sources."""
    tentative: bool = False
    """A streaming answer's unfinished tail: its open constructs are closed before it is
    rendered (render/tentative.py), in the render child, off the window's thread."""
    draw_math: bool = True
    """Draw formulas as pictures; False shows them as their TeX source (the render worker's
    child, while the math library could not be loaded)."""


@dataclass(frozen=True)
class Rendered:
    """Safe HTML for Qt's rich-text engine and what it refers to."""

    html: str
    """Qt's rich-text subset (HTML4 + inline styles); every image it names is in `images`."""
    images: Mapping[str, bytes]
    """Resource name used in `<img src="...">` -> PNG/JPEG/GIF bytes."""
    code_blocks: tuple[str, ...]
    """Raw text of the code blocks, for the `chatdesk:copy-code/N` actions."""
    remote_images: tuple[str, ...]
    """Remote image URLs found; shown as placeholders unless loaded."""
    plain: bool
    """Shown as plain text (too big, too slow, could not be parsed)."""
    reason: str | None = None
    """Why it is plain, when it is (also written into `html` as a note)."""
    complete: bool = True
    """False when formulas are shown as their source because the math library was not loaded
    (the same text is formatted fully once it is): not worth keeping past this run."""
    formulas_missing: bool = False
    """True when formulas are shown as their source because the math library is not installed
    (the `formulas` extra, chatdesk/core/extras.py): the window offers to install it."""


# A picture the window draws itself, in its look's colours, named after the prefix: the copy
# icon of a code block ("chatdesk-icon:copy"). Not in `Rendered.images`; a message cannot name
# one (its images become placeholders, chatdesk/core/render/images.py).
ICON_PREFIX = "chatdesk-icon:"


def picture_name(kind: str, data: bytes) -> str:
    """The name under which a picture is in `Rendered.images`, e.g. "math:3f…a1.png".

    Made from Python's own (salted, 64-bit) hash of the bytes, not a hashlib digest: hashlib
    loads OpenSSL, ~3.5 MB resident, into a render child that has no other use for it. A name
    only has to tell a picture from the others shown with it (a streamed message gathers pieces
    drawn by more than one child): the same bytes get the same name in one process, different
    bytes different names (two of them alike once in 2⁶⁴); the same picture drawn by two
    children gets two names, which costs a second copy at most."""
    return f"{kind}:{hash(data) & 0xFFFF_FFFF_FFFF_FFFF:016x}{len(data):x}"
