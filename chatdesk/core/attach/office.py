"""The text of Word, Excel, PowerPoint and OpenDocument files, read from their XML parts with
the standard library's zip reader and defusedxml (in the reading child only; decision 0026).

The archive is untrusted: it may hold at most `max_zip_entries` entries, and each part is
unpacked only up to `max_part_bytes`, counted as it is read (a zip bomb stops at the cap, not
at the size it declares). defusedxml refuses any DTD or entity. Structure is kept as text:
headings as Markdown headings, table rows as cells joined by " | ", and a marker for each
sheet or slide."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import Any

from chatdesk.core.attach.model import DOCUMENT, Limits, Read, Unreadable
from chatdesk.core.attach.sniff import DOCX, ODP, ODS, ODT, PPTX, XLSX
from chatdesk.core.i18n import ntr, number, tr

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"


def read_office(data: bytes, mime: str, limits: Limits) -> Read:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Unreadable(tr("the file is damaged: its archive cannot be read")) from error
    with archive:
        if len(archive.infolist()) > limits.max_zip_entries:
            raise Unreadable(
                ntr(
                    "it holds more than {n} part",
                    "it holds more than {n} parts",
                    limits.max_zip_entries,
                )
            )
        if any(info.flag_bits & 0x1 for info in archive.infolist()):
            raise Unreadable(tr("the file is encrypted: it needs a password to be read"))
        parts = _Parts(archive, limits)
        readers = {DOCX: _docx, XLSX: _xlsx, PPTX: _pptx, ODT: _odf, ODS: _odf, ODP: _odf}
        blocks, pages = readers[mime](parts)
    text, note = _joined(blocks, limits.max_text_chars)
    return Read(DOCUMENT, mime, text=text, pages=pages, note=note)


class _Parts:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self._archive = archive
        self._limit = limits.max_part_bytes

    def has(self, name: str) -> bool:
        try:
            self._archive.getinfo(name)
        except KeyError:
            return False
        return True

    def xml(self, name: str) -> Any:
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import ParseError, fromstring

        try:
            with self._archive.open(name) as part:
                data = part.read(self._limit + 1)
        except KeyError as error:
            raise Unreadable(
                tr("the file is damaged: its part {name} is missing", name=name)
            ) from error
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            raise Unreadable(
                tr("the file is damaged: its part {name} cannot be unpacked", name=name)
            ) from error
        if len(data) > self._limit:
            raise Unreadable(
                tr(
                    "its part {name} unpacks to more than {size} MB",
                    name=name,
                    size=self._limit >> 20,
                )
            )
        try:
            return fromstring(data, forbid_dtd=True)
        except (ParseError, DefusedXmlException) as error:
            raise Unreadable(
                tr("the file is damaged: its part {name} is not valid XML", name=name)
            ) from error

    def targets(self, rels: str) -> dict[str, str]:
        """Relationship id → part name, from a `_rels/*.rels` part (relative to its folder)."""
        if not self.has(rels):
            return {}
        base = posixpath.dirname(posixpath.dirname(rels))
        found = {}
        for rel in self.xml(rels).iter(f"{REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            found[rel.get("Id", "")] = posixpath.normpath(path)
        return found


def _docx(parts: _Parts) -> tuple[list[str], int]:
    body = parts.xml("word/document.xml").find(f"{W}body")
    blocks: list[str] = []
    for element in body if body is not None else ():
        if element.tag == f"{W}p":
            blocks.append(_docx_paragraph(element))
        elif element.tag == f"{W}tbl":
            blocks.append(_rows(_docx_rows(element)))
    return [b for b in blocks if b], 0


def _docx_paragraph(paragraph: Any) -> str:
    chunks = []
    for node in paragraph.iter():
        if node.tag == f"{W}t" and node.text:
            chunks.append(node.text)
        elif node.tag == f"{W}tab":
            chunks.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            chunks.append("\n")
    text = "".join(chunks).strip()
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    name = (style.get(f"{W}val", "") if style is not None else "").lower()
    if text and name.startswith("heading") and name[7:].isdigit():
        return "#" * min(int(name[7:]), 6) + " " + text
    if text and name == "title":
        return "# " + text
    return text


def _docx_rows(table: Any) -> Iterator[list[str]]:
    for row in table.iter(f"{W}tr"):
        yield [
            " ".join(_docx_paragraph(p) for p in cell.iter(f"{W}p")).strip()
            for cell in row.iter(f"{W}tc")
        ]


def _xlsx(parts: _Parts) -> tuple[list[str], int]:
    shared = _shared_strings(parts)
    targets = parts.targets("xl/_rels/workbook.xml.rels")
    blocks = []
    sheets = parts.xml("xl/workbook.xml").iter(f"{S}sheet")
    count = 0
    for count, sheet in enumerate(sheets, start=1):
        name = sheet.get("name", f"Sheet {count}")
        part = targets.get(sheet.get(f"{R}id", ""))
        rows = _sheet_rows(parts.xml(part), shared) if part and parts.has(part) else []
        blocks.append(f"--- Sheet: {name} ---\n" + _rows(rows))
    return blocks, count


def _shared_strings(parts: _Parts) -> list[str]:
    if not parts.has("xl/sharedStrings.xml"):
        return []
    return [
        "".join(t.text or "" for t in item.iter(f"{S}t"))
        for item in parts.xml("xl/sharedStrings.xml").iter(f"{S}si")
    ]


def _sheet_rows(sheet: Any, shared: list[str]) -> Iterator[list[str]]:
    for row in sheet.iter(f"{S}row"):
        cells = []
        for cell in row.iter(f"{S}c"):
            kind, value = cell.get("t", "n"), cell.find(f"{S}v")
            if kind == "inlineStr":
                cells.append("".join(t.text or "" for t in cell.iter(f"{S}t")))
            elif value is None or value.text is None:
                cells.append("")
            elif kind == "s":
                index = int(value.text) if value.text.isdigit() else -1
                cells.append(shared[index] if 0 <= index < len(shared) else "")
            else:
                cells.append(value.text)
        if any(cells):
            yield cells


def _pptx(parts: _Parts) -> tuple[list[str], int]:
    targets = parts.targets("ppt/_rels/presentation.xml.rels")
    order = parts.xml("ppt/presentation.xml").iter(f"{P}sldId")
    blocks = []
    count = 0
    for count, slide in enumerate(order, start=1):
        part = targets.get(slide.get(f"{R}id", ""))
        lines = []
        if part and parts.has(part):
            for paragraph in parts.xml(part).iter(f"{A}p"):
                line = "".join(t.text or "" for t in paragraph.iter(f"{A}t")).strip()
                if line:
                    lines.append(line)
        blocks.append(f"--- Slide {count} ---\n" + "\n".join(lines))
    return blocks, count


def _odf(parts: _Parts) -> tuple[list[str], int]:
    body = parts.xml("content.xml")
    blocks: list[str] = []
    pages = 0
    for page in body.iter(f"{DRAW}page"):  # a presentation's slides
        pages += 1
        lines = [_odf_text(p) for p in page.iter() if p.tag in (f"{TEXT}p", f"{TEXT}h")]
        blocks.append(f"--- Slide {pages} ---\n" + "\n".join(line for line in lines if line))
    if pages:
        return blocks, pages
    text_body = body.find(".//{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text")
    if text_body is not None:
        return [b for b in (_odf_block(e) for e in text_body) if b], 0
    for pages, table in enumerate(body.iter(f"{TABLE}table"), start=1):  # a spreadsheet
        blocks.append(f"--- Sheet: {table.get(f'{TABLE}name', pages)} ---\n" + _odf_table(table))
    return blocks, pages


def _odf_block(element: Any) -> str:
    if element.tag == f"{TEXT}h":
        level = element.get(f"{TEXT}outline-level", "1")
        return "#" * min(int(level) if level.isdigit() else 1, 6) + " " + _odf_text(element)
    if element.tag == f"{TEXT}p":
        return _odf_text(element)
    if element.tag == f"{TABLE}table":
        return _odf_table(element)
    if element.tag in (f"{TEXT}list", f"{TEXT}section"):
        return "\n".join(
            b
            for b in (_odf_block(e) for e in element.iter() if e.tag in (f"{TEXT}p", f"{TEXT}h"))
            if b
        )
    return ""


def _odf_text(element: Any) -> str:
    chunks: list[str] = []
    _odf_walk(element, chunks)
    return "".join(chunks).strip()


def _odf_walk(node: Any, chunks: list[str]) -> None:
    if node.tag == f"{TEXT}tab":
        chunks.append("\t")
    elif node.tag == f"{TEXT}line-break":
        chunks.append("\n")
    elif node.tag == f"{TEXT}s":
        count = node.get(f"{TEXT}c", "1")
        chunks.append(" " * min(int(count) if count.isdigit() else 1, 100))
    else:
        chunks.append(node.text or "")
        for child in node:
            _odf_walk(child, chunks)
            chunks.append(child.tail or "")


def _odf_table(table: Any) -> str:
    rows = []
    for row in table.iter(f"{TABLE}table-row"):
        cells = [
            " ".join(_odf_text(p) for p in cell.iter(f"{TEXT}p"))
            for cell in row.iter(f"{TABLE}table-cell")
        ]
        while cells and not cells[-1]:  # a sheet's row runs on with empty repeated cells
            cells.pop()
        if cells:
            rows.append(cells)
    return _rows(rows)


def _rows(rows: Any) -> str:
    return "\n".join(" | ".join(cell.replace("\n", " ") for cell in row) for row in rows)


def _joined(blocks: list[str], limit: int) -> tuple[str, str]:
    kept: list[str] = []
    size = 0
    for index, block in enumerate(blocks):
        if size + len(block) > limit:
            left_out = ntr(
                "{n} of {total} parts left out (too long)",
                "{n} of {total} parts left out (too long)",
                len(blocks) - index,
                total=number(len(blocks)),
            )
            return "\n\n".join(kept), left_out
        kept.append(block)
        size += len(block) + 2
    return "\n\n".join(kept), ""
