"""Text files and web pages (in the reading child only). Text is UTF-8 or says otherwise with a
byte-order mark; anything else is decoded by charset-normalizer, and the chip says the encoding
was a guess. A web page saved as a file is decoded as a browser decodes it (encodings.py), and
keeps its text and its links' addresses as text; scripts, styles and everything else that
would be fetched or run are dropped."""

from __future__ import annotations

import codecs
from html.parser import HTMLParser

from chatdesk.core.attach.encodings import decode_page
from chatdesk.core.attach.model import DOCUMENT, TEXT, Limits, Read, Unreadable
from chatdesk.core.attach.sniff import HTML
from chatdesk.core.i18n import language, ntr, tr

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(data: bytes, mime: str, limits: Limits) -> Read:
    if mime == HTML:  # decoded as a browser would, as a page from the web is
        markup, note = decode_page(data, None, html=True, language=language())
        text = page_text(markup)
    else:
        text, note = decode(data)
    text = text.replace("\r\n", "\n")
    if "\x00" in text:
        raise Unreadable(tr("it is not text: it holds NUL characters"))
    if len(text) > limits.max_text_chars:
        left = len(text) - limits.max_text_chars
        text = text[: limits.max_text_chars]
        left_out = ntr(
            "the last {n} character left out (too long)",
            "the last {n} characters left out (too long)",
            left,
        )
        note = "; ".join(filter(None, [note, left_out]))
    return Read(DOCUMENT if mime == HTML else TEXT, mime, text=text, note=note)


def decode(data: bytes) -> tuple[str, str]:
    """The text and, when its encoding was guessed, a note naming the guess."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), ""
            except UnicodeDecodeError as error:
                raise Unreadable(tr("it is not valid {codec} text", codec=codec.upper())) from error
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    encoding = _guessed(data[: 4 * 1024 * 1024])
    if encoding is None:
        raise Unreadable(tr("it is not text in any encoding chatdesk recognises"))
    try:
        guess = tr("decoded as {encoding} (a guess)", encoding=encoding)
        return data.decode(encoding), guess
    except (UnicodeDecodeError, LookupError) as error:
        raise Unreadable(tr("it is not text in any encoding chatdesk recognises")) from error


def _guessed(data: bytes) -> str | None:
    """charset-normalizer's best guess; of guesses it rates the same, windows-1252, the
    encoding of most older Western text (and what browsers assume of a page that names none):
    a short text in Latin letters reads as well in windows-1250 to it."""
    from charset_normalizer import from_bytes

    found = from_bytes(data)
    best = found.best()
    if best is None:
        return None
    tied = {
        match.encoding
        for match in found
        if (match.chaos, match.coherence) == (best.chaos, best.coherence)
    }
    return "cp1252" if "cp1252" in tied else best.encoding


_SKIPPED = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head"}
_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "hr",
    "title",
}


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED and tag != "head":
            self._skipping += 1
        elif tag in _BLOCKS:
            self.chunks.append("\n")
            if tag[0] == "h" and tag[1:].isdigit():
                self.chunks.append("#" * int(tag[1:]) + " ")
        if tag == "li":
            self.chunks.append("- ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._link = href if href.startswith(("http://", "https://")) else None

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and tag != "head":
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.chunks.append("\n")
        if tag == "a" and self._link:
            self.chunks.append(f" ({self._link})")
            self._link = None
        elif tag in ("td", "th"):
            self.chunks.append(" | ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def page_text(markup: str) -> str:
    parser = _PageText()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    text, blank = [], False
    for line in lines:
        if line or not blank:
            text.append(line)
        blank = not line
    return "\n".join(text).strip()
