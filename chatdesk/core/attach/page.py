"""A page fetched from the web as the text a model reads (in the reading child only; asked
through chatdesk/core/web/text.py).

The bytes decide what the page is, not the server's content type: a PDF or an Office file goes
to the document readers attachments use, an image or other binary is refused, and text is
decoded by its byte-order mark, else the charset the headers or the page declare that decodes
it (UTF-8 first: bytes that are valid UTF-8 are almost never another encoding), else a guess.
HTML is reduced to its main text by trafilatura (decision 0047): menus, footers, ads, scripts
and styles dropped, headings, lists and tables kept as Markdown. Its parser, lxml's HTML
parser, loads no DTD and fetches nothing (images, frames and entities stay unread). A long run
of lines that are only links (an index, a link farm) keeps its first `LINKS_KEPT`, and the
text is cut to the budget where a paragraph ends, with a last line saying so.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote, urlsplit

from chatdesk.core.attach import sniff
from chatdesk.core.attach.model import SCAN_NOTE, PageAsk, PageText, Unreadable, is_scan
from chatdesk.core.attach.textual import BOMS, decode
from chatdesk.core.i18n import mark, ntr, number, tr

NO_TEXT = mark("it has no text chatdesk can read")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown", "text/csv"})
LINKS_KEPT = 20  # lines in a row that are only links, before the rest of the run is left out
# Characters of markup extracted (scripts and styles left out first): ~4 s on a slow core, so
# a 5 MB page of text ends well within the child's bound; the rest is said to be cut.
MARKUP_READ = 1_500_000
_DOCUMENTS = {sniff.PDF, sniff.DOCX, sniff.XLSX, sniff.PPTX, sniff.ODT, sniff.ODS, sniff.ODP}
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{1,40})"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([\w.:-]{1,40})""",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<(?:!doctype\s+html|html|head|body|title|meta|div|p)[\s>/]", re.IGNORECASE)
# Labels whose encoding browsers read as a larger one (the WHATWG Encoding Standard's table):
# a page labelled Shift_JIS or GB2312 often holds characters only the larger one has.
_LARGER = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "gb2312": "gbk",
    "euc_kr": "cp949",
}
_OPENING = re.compile(r"<(script|style)[\s>]", re.IGNORECASE)
_CLOSING = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}
# A link as trafilatura writes it: its words (brackets in them escaped), then its address (one
# level of parentheses in it, as in a Wikipedia address).
_LINK = re.compile(r"\[((?:[^\[\]\n\\]|\\.)*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)")
_ESCAPED = re.compile(r"\\([_*\[\]])")  # what trafilatura escapes in the words of its Markdown
_LIST_MARKS = " \t-*+|·•,;"


def read_page(data: bytes, ask: PageAsk) -> PageText:
    if not data.strip():
        raise Unreadable(tr(NO_TEXT))
    mime = sniff.sniff(data, "")
    if mime in _DOCUMENTS:
        return _document(data, mime, ask)
    if mime.startswith("image/"):
        raise Unreadable(tr("it is an image ({type}), not a page of text", type=mime))
    if mime == sniff.UNKNOWN:
        if not ask.content_type:
            raise Unreadable(tr("it is binary data, not text"))
        raise Unreadable(
            tr("it is binary data, not text (the server called it {type})", type=ask.content_type)
        )
    text, note = decoded(data, ask.charset)
    if ask.content_type in HTML_TYPES or (
        ask.content_type not in TEXT_TYPES and _MARKUP.search(text, 0, 2048)
    ):
        return _html(text, note, ask)
    text = text.replace("\r\n", "\n").replace("\x00", "")
    return _finished(ask, "text", _name(ask.url), text.strip(), note=note)


def decoded(data: bytes, header: str | None) -> tuple[str, str]:
    """The page's text and, when its encoding was guessed, a note naming the guess."""
    if data.startswith(tuple(bom for bom, _ in BOMS)):
        return decode(data)
    found = _DECLARED.search(data[:4096])
    meta = (found.group(1) or found.group(2)).decode("ascii") if found else None
    named = [codec for codec in (_codec(header), _codec(meta, in_page=True)) if codec]
    for codec in sorted(dict.fromkeys(named), key=lambda codec: codec != "utf-8"):
        try:
            return data.decode(codec), ""
        except (UnicodeDecodeError, LookupError):
            continue
    return decode(data)


def _codec(label: str | None, *, in_page: bool = False) -> str | None:
    """Python's codec for a charset label, read as browsers read it: Latin-1 and ASCII mean
    windows-1252 (`_LARGER`); a page that says it is UTF-16 in ASCII bytes is not."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if in_page and name.startswith("utf-16"):
        return "utf-8"
    return _LARGER.get(name, name)


def _document(data: bytes, mime: str, ask: PageAsk) -> PageText:
    from chatdesk.core.attach.reading import read

    found = read(_name(ask.url), data, ask.limits)
    if is_scan(found.note):
        raise Unreadable(tr(SCAN_NOTE))
    kind = "pdf" if mime == sniff.PDF else "document"
    return _finished(ask, kind, _name(ask.url), found.text.strip(), note=found.note)


def _html(markup: str, note: str, ask: PageAsk) -> PageText:
    import trafilatura
    from trafilatura.utils import load_html

    markup = _without_scripts(markup)
    tree = load_html(markup[:MARKUP_READ])
    if tree is None:
        raise Unreadable(tr(NO_TEXT))
    links = {" ".join(link.text_content().split()) for link in tree.iter("a")}
    found = trafilatura.bare_extraction(
        tree,
        url=ask.url or None,
        # Its fallbacks (readability, jusText) rarely change a real page's text, and their
        # comparison grows with the square of a page's blocks: 264 KB of small tables, 36 s.
        fast=True,
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=True,  # to know which lines are only links; their addresses are dropped
        include_images=False,
        include_tables=True,
    )
    if found is None or isinstance(found, dict):  # a dict only when asked `as_dict`
        raise Unreadable(tr(NO_TEXT))
    return _finished(
        ask,
        "html",
        found.title or _name(ask.url),
        _fewer_links(found.text or "", links - {""}).strip(),
        longer=len(markup) > MARKUP_READ,
        site=found.sitename or found.hostname or "",
        published=found.date or "",
        author=found.author or "",
        note=note,
    )


def _without_scripts(markup: str) -> str:
    """The markup without its scripts and styles (their text is never the page's), but with
    its JSON-LD, which names the page's title, author and date. In one pass: a script left
    open takes the rest of the page, as it does in a browser."""
    parts: list[str] = []
    at = 0
    while (opening := _OPENING.search(markup, at)) is not None:
        closing = _CLOSING[opening.group(1).lower()].search(markup, opening.end())
        end = closing.end() if closing is not None else len(markup)
        tag_end = markup.find(">", opening.start(), end)
        keep = "ld+json" in markup[opening.start() : tag_end].lower()
        parts.append(markup[at : end if keep else opening.start()])
        at = end
    parts.append(markup[at:])
    return "".join(parts)


def _fewer_links(text: str, links: set[str]) -> str:
    """The text with its links as their words only (and those words as the page wrote them,
    unescaped), and each run of more than `LINKS_KEPT` lines that hold nothing but links (a
    link's words, `links`, or links in Markdown) shortened to its first ones and a line saying
    how many were left out."""
    kept: list[str] = []
    run = left_out = 0
    for line in text.split("\n"):
        if not line.strip():
            if not left_out:
                kept.append(line)
            continue
        words = _ESCAPED.sub(r"\1", _LINK.sub(r"\1", line))
        only_links = " ".join(words.strip(_LIST_MARKS).split()) in links or (
            _LINK.search(line) is not None and not _LINK.sub("", line).strip(_LIST_MARKS)
        )
        run = run + 1 if only_links else 0
        if run > LINKS_KEPT:
            left_out += 1
            continue
        if left_out:
            kept.extend([_links_left_out(left_out), ""])
            left_out = 0
        kept.append(words)
    if left_out:
        kept.append(_links_left_out(left_out))
    return "\n".join(kept)


def _links_left_out(count: int) -> str:
    return ntr("[… {n} more link left out]", "[… {n} more links left out]", count)


def _finished(
    ask: PageAsk,
    kind: str,
    title: str,
    text: str,
    *,
    longer: bool = False,
    note: str = "",
    site: str = "",
    published: str = "",
    author: str = "",
) -> PageText:
    """The page's text cut to the budget; `longer`: the page went on past what was read."""
    if not text:
        raise Unreadable(tr(NO_TEXT))
    shown = cut(text, ask.budget_chars)
    was_cut = longer or len(shown) < len(text)
    if longer:
        shown += "\n\n" + tr(
            "[… cut: {shown} characters shown; the page goes on past what chatdesk reads]",
            shown=number(len(shown)),
        )
    elif was_cut:
        shown += "\n\n" + ntr(
            "[… cut: {shown} of {n} character shown]",
            "[… cut: {shown} of {n} characters shown]",
            len(text),
            shown=number(len(shown)),
        )
    return PageText(
        ask.url, kind, title.strip(), shown, len(text), was_cut, site, published, author, note
    )


def cut(text: str, budget: int) -> str:
    """At most `budget` characters of `text`, ending where a paragraph ends when one ends in its
    second half, else where a line or a word ends."""
    if len(text) <= budget:
        return text
    head = text[:budget]
    for boundary in ("\n\n", "\n", " "):
        at = head.rfind(boundary)
        if at >= budget // 2:
            return head[:at].rstrip()
    return head


def _name(url: str) -> str:
    """What to call a page with no title: the last part of its path, else its host."""
    parts = urlsplit(url)
    return unquote(parts.path.rstrip("/").rpartition("/")[2]) or parts.hostname or url
