"""Markdown's top-level blocks as the sentences a voice reads: the words, never the markup.

Walks markdown-it's token stream (the parser the window formats with, HTML parsed so it can be
left out): headings and paragraphs as their words, links as their text, images by their alt
text, list items one by one, a table row by row ("Row 1: Name, Ada; Age, 36."), a formula by
its words when it is simple, a code block announced (or read line by line with
`[voice] read_code`). `speakable.py` splits the words into sentences and reads them as they
become complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it.token import Token

from chatdesk.core.i18n import tr

# A formula read as it is written: letters, digits, spaces and the signs a voice says well.
_SIMPLE_FORMULA = re.compile(r"[\w\s+\-=<>.,()]{1,40}")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]{1,40}\]:?")


@dataclass(frozen=True)
class Block:
    """One top-level block's pieces of text (each one or more sentences, in reading order), and
    whether its last piece may still change while the answer grows (a paragraph's last
    sentence, a table's last row; a closed code block's announcement may not)."""

    pieces: tuple[str, ...]
    line: int  # the first line of the text it was read from
    open_tail: bool = True
    # An ordered list's delimiter and last number: a list read later on from the rest of the
    # text, with the same delimiter, is the same list and goes on counting.
    numbered: tuple[str, int] | None = None


def blocks(
    tokens: Sequence[Token], read_code: bool, numbered: tuple[str, int] | None = None
) -> Iterator[Block]:
    """The top-level blocks of a parsed text, in order; `numbered`: the ordered list the text
    before it ended with, which a first ordered list with the same delimiter continues."""
    start = 0
    depth = 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            group = tokens[start : index + 1]
            line = group[0].map[0] if group[0].map else 0
            # A list goes on from the text before only where nothing (a link reference's
            # definition, which leaves no token) comes between.
            going_on = numbered if start == 0 and line == 0 else None
            yield _block(group, read_code, line, going_on)
            start = index + 1


def _block(
    group: Sequence[Token], read_code: bool, line: int, numbered: tuple[str, int] | None
) -> Block:
    first = group[0]
    if first.type in ("fence", "code_block"):
        return _code(first, read_code, line)
    if first.type == "table_open":
        return Block(tuple(_table(group)), line)
    if first.type == "math_display":
        return Block((_formula(first.content),), line)
    counted = [0]
    if numbered is not None and first.type == "ordered_list_open" and first.markup == numbered[0]:
        counted[0] = numbered[1]
    pieces = tuple(_texts(group, counted))
    if first.type == "ordered_list_open":
        return Block(pieces, line, numbered=(first.markup, counted[0]))
    return Block(pieces, line)  # with no words too: an ordered list after it starts anew


def _texts(group: Sequence[Token], counted: list[int]) -> Iterator[str]:
    """The words of headings, paragraphs, list items and quotes, one piece each; an ordered
    list's item starts with its number. `counted`: a top-level ordered list's last number so
    far (given: where it goes on from; left: where it ended)."""
    numbers: list[int] = []
    pending_number: int | None = None
    heading = False
    for token in group:
        heading = token.type == "heading_open" or (heading and token.type != "heading_close")
        if token.type == "ordered_list_open" and not numbers and counted[0]:
            numbers.append(counted[0])
        elif token.type == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1) - 1)
        elif token.type == "bullet_list_open":
            numbers.append(-1)
        elif token.type in ("ordered_list_close", "bullet_list_close") and numbers:
            last = numbers.pop()
            if not numbers:
                counted[0] = max(last, 0)
        elif token.type == "list_item_open" and numbers and numbers[-1] >= 0:
            numbers[-1] += 1
            pending_number = numbers[-1]
        elif token.type in ("inline", "inline_plain"):
            words = inline_words(token)
            if _is_footnote(token.content) or not words.strip():
                continue
            if pending_number is not None:
                words = f"{pending_number}. {words}"
                pending_number = None
            yield _ended(words) if heading else words


def _is_footnote(content: str) -> bool:
    return content.startswith("[^") and _FOOTNOTE_MARK.match(content) is not None


def _ended(words: str) -> str:
    """A heading read with a pause after it, as a sentence of its own."""
    words = words.rstrip()
    return words if words[-1:] in ".!?:;…。！？" else f"{words}."


def inline_words(token: Token) -> str:
    """An inline token's words: emphasis as plain words, a link as its text (the address only
    when it is the text, and then only its host), an image as its alt text, inline code as
    its text, HTML and footnote marks left out."""
    if token.type == "inline_plain" or token.children is None:
        return token.content
    out: list[str] = []
    link_start: list[tuple[int, str]] = []
    for child in token.children:
        kind = child.type
        if kind == "text":
            out.append(_FOOTNOTE_MARK.sub("", child.content))
        elif kind == "code_inline":
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "image":
            out.append(child.content)
        elif kind == "math_inline":
            out.append(_formula(child.content))
        elif kind == "link_open":
            link_start.append((len(out), str(child.attrGet("href") or "")))
        elif kind == "link_close" and link_start:
            at, href = link_start.pop()
            text = "".join(out[at:]).strip()
            if not text or text in (href, href.removeprefix("mailto:")):
                out[at:] = [_address(href, text)]
    return "".join(out)


def _address(href: str, text: str) -> str:
    host = urlsplit(href).hostname if "//" in href else None
    if host:
        return tr("a link to {host}", host=host.removeprefix("www."))
    return text or tr("a link")


def _formula(tex: str) -> str:
    tex = tex.strip()
    if _SIMPLE_FORMULA.fullmatch(tex) and "_" not in tex:
        return tex
    return tr("a formula")


def _code(token: Token, read_code: bool, line: int) -> Block:
    language = token.info.split(maxsplit=1)[0] if token.info.strip() else ""
    if language:
        said = tr("A code block in {language}.", language=_language_name(language))
    else:
        said = tr("A code block.")
    # The info line is over once a line of code (or the closing fence) has begun.
    info_done = token.type == "code_block" or bool(token.map and token.map[1] - token.map[0] > 1)
    if not read_code:
        return Block((said,), line, open_tail=not info_done)
    lines = tuple(text for text in token.content.splitlines() if text.strip())
    return Block((said, *lines), line)


_LANGUAGES = {
    "py": "Python",
    "python": "Python",
    "python3": "Python",
    "js": "JavaScript",
    "javascript": "JavaScript",
    "ts": "TypeScript",
    "typescript": "TypeScript",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "shell": "shell",
    "console": "shell",
    "cpp": "C++",
    "c++": "C++",
    "cs": "C#",
    "csharp": "C#",
    "rb": "Ruby",
    "rs": "Rust",
    "go": "Go",
    "kt": "Kotlin",
    "md": "Markdown",
    "yml": "YAML",
    "json": "JSON",
    "sql": "SQL",
    "html": "HTML",
    "css": "CSS",
    "toml": "TOML",
    "xml": "XML",
}


def _language_name(info: str) -> str:
    """A fence's language as it is said: "py" is Python; anything unknown as written, without
    the signs a voice would spell out."""
    known = _LANGUAGES.get(info.lower())
    if known is not None:
        return known
    return re.sub(r"[^\w+#.-]", " ", info)[:40].strip() or "?"


def _table(group: Sequence[Token]) -> Iterator[str]:
    """A table, a sentence per row of its body: "Row 1: Name, Ada; Age, 36."; a table with a
    header only is read as its header."""
    header: list[str] = []
    row: list[str] = []
    number = 0
    in_head = False
    for token in group:
        if token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline":
            row.append(" ".join(inline_words(token).split()))
        elif token.type == "tr_close" and in_head:
            header = row
        elif token.type == "tr_close":
            number += 1
            yield _row(number, header, row)
    if number == 0 and any(header):
        yield _ended(", ".join(cell for cell in header if cell))


def _row(number: int, header: list[str], row: list[str]) -> str:
    cells = []
    for index, value in enumerate(row):
        name = header[index] if index < len(header) else ""
        if name and value:
            cells.append(tr("{column}, {value}", column=name, value=value))
        elif value:
            cells.append(value)
    return tr("Row {n}: {cells}.", n=number, cells="; ".join(cells) or tr("empty"))
