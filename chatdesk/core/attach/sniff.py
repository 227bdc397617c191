"""A file's type from its first bytes, never from its name (a name can lie). A file that
starts like two types (a polyglot) is the one its first bytes say, and is read only as that."""

from __future__ import annotations

import io
import zipfile

from chatdesk.core.i18n import mark

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
HTML, CSV, MARKDOWN, PLAIN = "text/html", "text/csv", "text/markdown", "text/plain"
UNKNOWN = "application/octet-stream"

_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
_OFFICE = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
_ODF = {ODT, ODS, ODP}
_NAMED_TEXT = {".html": HTML, ".htm": HTML, ".csv": CSV, ".md": MARKDOWN, ".markdown": MARKDOWN}

# What each type is called in a chip and in the model's view of a message.
# Marked: a chip shows `tr(LABELS[mime])`; the model's view keeps the English.
LABELS = {
    PDF: "PDF",
    DOCX: mark("Word document"),
    XLSX: mark("Excel workbook"),
    PPTX: mark("PowerPoint presentation"),
    ODT: mark("OpenDocument text"),
    ODS: mark("OpenDocument spreadsheet"),
    ODP: mark("OpenDocument presentation"),
    HTML: mark("HTML page"),
    CSV: mark("CSV table"),
    MARKDOWN: "Markdown",
    # translators: the kind of an attached file: plain text
    PLAIN: mark("text"),
}


def extension(mime: str) -> str:
    """The file name ending for an image chatdesk made or re-encoded (".jpg"), or ""."""
    return {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}.get(mime, "")


def sniff(data: bytes, name: str) -> str:
    head = data[:64]
    for magic, mime in _IMAGES:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in data[:1024]:  # the header may follow a little junk, as readers allow
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zipped(data)
    if _looks_like_text(data[:8192]):
        return _text_type(data[:512], name)
    return UNKNOWN


def _zipped(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            for part, mime in _OFFICE:
                if part in names:
                    return mime
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in _ODF:
                    return declared
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        pass
    return UNKNOWN


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # a UTF-16 byte-order mark
        return True
    return b"\x00" not in head


def _text_type(head: bytes, name: str) -> str:
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return HTML
    dot = name.rfind(".")
    return _NAMED_TEXT.get(name[dot:].lower(), PLAIN) if dot >= 0 else PLAIN
