"""A PDF's text, page by page (in the reading child only; PDFium through pypdfium2, decision
0026). An encrypted PDF is refused with that reason; pages without a text layer are counted,
so a scan says it is one; asked to (`Limits.render_pages`), its first pages are drawn as
images, to send a scan to a model that takes images."""

from __future__ import annotations

import dataclasses

from chatdesk.core.attach.model import DOCUMENT, SCAN_NOTE, Limits, Read, Unreadable
from chatdesk.core.attach.sniff import PDF
from chatdesk.core.i18n import ntr, tr


def read_pdf(data: bytes, limits: Limits) -> Read:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise Unreadable(tr("the PDF is encrypted: it needs a password to be read")) from error
        raise Unreadable(tr("the PDF is damaged: PDFium cannot open it")) from error
    try:
        read = _pages(document, limits)
        if limits.render_pages:
            read = dataclasses.replace(read, page_images=_drawn(document, limits))
        return read
    finally:
        document.close()


def _drawn(document: object, limits: Limits) -> tuple[Read, ...]:
    """The first `render_pages` pages drawn at `image_max_side` on their long side."""
    from chatdesk.core.attach.images import finished

    drawn = []
    for index in range(min(limits.render_pages, len(document))):  # type: ignore[arg-type]
        page = document[index]  # type: ignore[index]
        try:
            width, height = page.get_size()  # in points
            scale = limits.image_max_side / max(width, height, 1.0)
            if width * scale * height * scale > limits.max_pixels:
                raise Unreadable(tr("page {number} is too large to draw", number=index + 1))
            bitmap = page.render(scale=scale)
            picture = bitmap.to_pil()
            bitmap.close()
        finally:
            page.close()
        drawn.append(finished(picture, limits))
    return tuple(drawn)


def _pages(document: object, limits: Limits) -> Read:
    pages = len(document)  # type: ignore[arg-type]
    parts: list[str] = []
    size = blank = 0
    cut_at = 0
    for index in range(pages):
        page = document[index]  # type: ignore[index]
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_bounded().replace("\r\n", "\n").strip()
            textpage.close()
        finally:
            page.close()
        if not text:
            blank += 1
        part = f"--- Page {index + 1} ---\n{text}"
        if size + len(part) > limits.max_text_chars:
            cut_at = index + 1
            break
        parts.append(part)
        size += len(part) + 2
    notes = []
    if blank == pages and pages:
        notes.append(tr(SCAN_NOTE))
    elif blank:
        notes.append(
            ntr(
                "{n} of {total} pages without a text layer",
                "{n} of {total} pages without a text layer",
                blank,
                total=pages,
            )
        )
    if cut_at:
        notes.append(tr("pages {first}–{last} left out (too long)", first=cut_at, last=pages))
    return Read(DOCUMENT, PDF, text="\n\n".join(parts), pages=pages, note="; ".join(notes))
