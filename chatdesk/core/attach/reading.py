"""One file read in the reading child: its type sniffed from its bytes, then the reader for it.
An error a file causes is an `Unreadable` with the reason; anything else is a bug, reported as
"could not be read" without taking the child down."""

from __future__ import annotations

import dataclasses

from chatdesk.core.attach import sniff
from chatdesk.core.attach.model import Limits, Read, Unreadable
from chatdesk.core.i18n import mark, tr

READABLE = mark(
    "chatdesk reads: images (PNG, JPEG, GIF, WebP, BMP, TIFF), PDF, Word, Excel, PowerPoint, "
    "OpenDocument, web pages and text"
)


def read(name: str, data: bytes, limits: Limits) -> Read:
    found = _read(name, data, limits)
    if "\x00" in found.text:  # a document's text with NULs (a PDF's, say) is still its text
        return dataclasses.replace(found, text=found.text.replace("\x00", ""))
    return found


def _read(name: str, data: bytes, limits: Limits) -> Read:
    if not data:
        raise Unreadable(tr("it is empty (0 bytes)"))
    mime = sniff.sniff(data, name)
    if mime.startswith("image/"):
        from chatdesk.core.attach.images import read_image

        return read_image(data, mime, limits)
    if mime == sniff.PDF:
        from chatdesk.core.attach.pdf import read_pdf

        return read_pdf(data, limits)
    if mime in (sniff.DOCX, sniff.XLSX, sniff.PPTX, sniff.ODT, sniff.ODS, sniff.ODP):
        from chatdesk.core.attach.office import read_office

        return read_office(data, mime, limits)
    if mime.startswith("text/"):
        from chatdesk.core.attach.textual import read_text

        return read_text(data, mime, limits)
    raise Unreadable(tr("it is none of the kinds of file {readable}", readable=tr(READABLE)))
