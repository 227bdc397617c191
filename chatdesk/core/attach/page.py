"""A page fetched from the web as the text a model reads (in the reading child only; asked
through chatdesk/core/web/text.py).

The bytes decide what the page is, not the server's content type: a PDF or an Office file goes
to the document readers attachments use, an image or other binary is refused, and text is
decoded as a browser decodes it (chatdesk/core/attach/encodings.py: its byte-order mark, UTF-8,
the charset the headers or a <meta> declare, else the default of the user's language).
HTML is reduced to its main text by trafilatura (decision 0047): menus, footers, ads, scripts
and styles dropped, headings, lists and tables kept as Markdown. Its parser, lxml's HTML
parser, loads no DTD and fetches nothing (images, frames and entities stay unread). A long run
of lines that are only links (an index, a link farm) keeps its first `LINKS_KEPT`, and the
text is cut to the budget where a paragraph ends, with a last line saying so.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from chatdesk.core.attach import sniff
from chatdesk.core.attach.encodings import decode_page
from chatdesk.core.attach.model import SCAN_NOTE, PageAsk, PageText, Unreadable, is_scan
from chatdesk.core.i18n import language, mark, ntr, number, tr

NO_TEXT = mark("it has no text chatdesk can read")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown", "text/csv"})
LINKS_KEPT = 20  # lines in a row that are only links, before the rest of the run is left out
# Characters of markup extracted (scripts and styles left out first): ~4 s on a slow core, so
# a 5 MB page of text ends well within the child's bound; the rest is said to be cut.
MARKUP_READ = 1_500_000
_DOCUMENTS = {sniff.PDF, sniff.DOCX, sniff.XLSX, sniff.PPTX, sniff.ODT, sniff.ODS, sniff.ODP}
_MARKUP = re.compile(r"<(?:!doctype\s+html|html|head|body|title|meta|div|p)[\s>/]", re.IGNORECASE)
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
    html = ask.content_type not in TEXT_TYPES  # a <meta> may declare its encoding
    text, note = decode_page(data, ask.charset, html=html, language=language())
    if ask.content_type in HTML_TYPES or (
        ask.content_type not in TEXT_TYPES and _MARKUP.search(text, 0, 2048)
    ):
        return _html(text, note, ask)
    text = text.replace("\r\n", "\n").replace("\x00", "")
    return _finished(ask, "text", _name(ask.url), text.strip(), note=note)


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
