"""Real files for the attachment tests, made by the libraries that write them (Pillow,
matplotlib, pypdf, python-docx, openpyxl, python-pptx, odfpy): nothing opaque is checked in."""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path


def photo(
    width: int = 4000,
    height: int = 3000,
    colour: tuple[int, int, int] = (200, 30, 30),
    *,
    orientation: int = 1,
    gps: bool = True,
    fmt: str = "JPEG",
) -> bytes:
    """A photo with EXIF: an orientation tag and, with `gps`, a GPS position."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(picture)  # a horizon and a sun, so that the picture reads as one
    draw.rectangle((0, height * 3 // 4, width, height), fill=(30, 60, 40))
    sun = min(width, height) // 8
    draw.ellipse(
        (width * 2 // 3, height // 6, width * 2 // 3 + sun, height // 6 + sun), fill=(250, 220, 90)
    )
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "Camera Maker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    picture.save(out, fmt, exif=exif.tobytes(), quality=90)
    return out.getvalue()


def transparent_png(size: int = 300) -> bytes:
    from PIL import Image

    picture = Image.new("RGBA", (size, size), (0, 0, 255, 0))
    picture.paste((0, 200, 0, 255), (size // 4, size // 4, size * 3 // 4, size * 3 // 4))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def bomb_png(side: int = 12_000) -> bytes:
    """A few kilobytes that decode to `side`² pixels."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


def pdf(pages: list[str]) -> bytes:
    """A PDF with a text layer: one page per string, its lines from the top of the page down.
    Made once per process for the same pages, as the bytes cannot change."""
    return _pdf(tuple(pages))


# matplotlib writes the text in Helvetica, one of the fonts every PDF reader has (weight
# "medium", the only one its metrics name): it lays out a 40-page document in about 0.3 s,
# where embedding a TrueType font took 4–5 s, and the text a reader takes out is the same.
_CORE_FONT = {"pdf.use14corefonts": True, "font.weight": "medium"}


@functools.lru_cache(maxsize=16)
def _pdf(pages: tuple[str, ...]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = io.BytesIO()
    with matplotlib.rc_context(_CORE_FONT), PdfPages(out) as document:
        for text in pages:
            figure = Figure(figsize=(8.27, 11.69))
            figure.text(0.1, 0.9, text, fontsize=12, verticalalignment="top")
            document.savefig(figure)
    return out.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of pictures only, as a scanner makes: no text layer."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = io.BytesIO()
    with PdfPages(out) as document:
        for page in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            axes = figure.add_axes((0, 0, 1, 1))
            axes.imshow(numpy.full((40, 30), page), cmap="gray")
            axes.set_axis_off()
            document.savefig(figure)
    return out.getvalue()


def encrypted_pdf(text: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf([text]))))
    writer.encrypt("a password", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(path: Path) -> Path:
    from docx import Document

    document = Document()
    document.add_heading("Quarterly plan", level=1)
    document.add_paragraph("Revenue grew in every region.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate((("Region", "Growth"), ("North", "12%"))):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_heading("Risks", level=2)
    document.add_paragraph("Supply stays tight.")
    document.save(path)
    return path


def xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "Sales"
    first.append(["Month", "Units"])
    first.append(["January", 120])
    second = workbook.create_sheet("Costs")
    second.append(["Rent", 900.5])
    workbook.save(path)
    return path


def pptx(path: Path) -> Path:
    from pptx import Presentation

    deck = Presentation()
    for title, body in (("Welcome", "Agenda for today"), ("Results", "Up and to the right")):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    deck.save(path)
    return path


def odt(path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P, Span

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Minutes"))
    paragraph = P(text="Present: ")
    paragraph.addElement(Span(text="Ada and Grace"))
    paragraph.addText(", on time.")
    document.text.addElement(paragraph)
    document.save(str(path))
    return path


def zip_bomb_docx(unpacked_mb: int = 80) -> bytes:
    """A DOCX whose document part unpacks to `unpacked_mb` MB from a few hundred KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<a>" + b" " * (unpacked_mb << 20) + b"</a>")
    return out.getvalue()


def entity_docx() -> bytes:
    """A DOCX whose XML declares entities (a "billion laughs" in small)."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return out.getvalue()
