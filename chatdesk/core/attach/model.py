"""What the reading child is asked and what it answers: plain data, pickled over its pipes."""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.core.i18n import mark, tr
from chatdesk.core.kinds import AttachmentKind

# Plain text over the reading child's pipe, the values of AttachmentKind's.
IMAGE, DOCUMENT, TEXT = (
    AttachmentKind.IMAGE.value,
    AttachmentKind.DOCUMENT.value,
    AttachmentKind.FILE.value,
)
# A PDF's note when none of its pages has text (in the note as `tr(SCAN_NOTE)`).
SCAN_NOTE = mark("a scan: no page has a text layer")


def is_scan(note: str) -> bool:
    """Whether a document's note says it is a scan (written in English or the language in use)."""
    return SCAN_NOTE in note or tr(SCAN_NOTE) in note


@dataclass(frozen=True)
class Limits:
    """Caps on one file's reading (from the `attachments` settings)."""

    max_text_chars: int = 2_000_000  # of extracted text; the rest is left out, with a note
    image_max_side: int = 2_048
    image_max_bytes: int = 4 * 1024 * 1024
    max_pixels: int = 100_000_000  # a decoded image larger than this is refused (a bomb)
    thumb_side: int = 320
    max_zip_entries: int = 20_000
    max_part_bytes: int = 64 * 1024 * 1024  # one unpacked XML part of an Office file
    render_pages: int = 0  # a PDF's first pages drawn as images (a scan, sent to a vision model)


@dataclass(frozen=True)
class Read:
    """One file as the child read it.

    `kind`: IMAGE, DOCUMENT or TEXT. `mime` is sniffed from the content. `text` is what the
    model reads (documents and text; with page, sheet or slide markers). `image` is the copy
    to store and send (upright, scaled, re-encoded, without EXIF); `thumbnail` a small one for
    the window. `note` says what a reader should know ("a scan: no text layer", "pages 41–300
    left out", "decoded as windows-1252, a guess"), empty when nothing."""

    kind: str
    mime: str
    text: str = ""
    pages: int = 0
    width: int = 0
    height: int = 0
    note: str = ""
    image: bytes | None = None
    thumbnail: bytes | None = None
    page_images: tuple[Read, ...] = ()  # a PDF's pages drawn as images (`Limits.render_pages`)


class Unreadable(Exception):
    """The file cannot be attached; the message says why, for the user."""


@dataclass(frozen=True)
class PageAsk:
    """A page fetched from the web, to be read as text in the reading child
    (chatdesk/core/web/text.py): what its response's headers said, and the most text to give."""

    url: str
    content_type: str  # as the headers said it, lower case, without parameters ("" if none)
    charset: str | None  # the headers' charset, None when they gave none
    budget_chars: int
    limits: Limits = Limits()


@dataclass(frozen=True)
class PageText:
    """A page's main text as the model reads it, and what a citation of it needs.

    `kind`: "html", "pdf", "document" (Word, OpenDocument …) or "text". `text` is at most the
    budget asked for, and when `cut` it ends with a line saying how much was shown of
    `chars_total`. `site`, `published` (ISO date) and `author` are empty when the page does not
    say them; `note` says what a reader should know ("decoded as windows-1252, a guess")."""

    url: str
    kind: str
    title: str
    text: str
    chars_total: int
    cut: bool
    site: str = ""
    published: str = ""
    author: str = ""
    note: str = ""
