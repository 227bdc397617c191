"""An answer's citations as links: "[2]", "[1][3]" and "[1, 2]" in its text, each number one of
the answer's sources, become anchors `chatdesk:cite/N`: the window opens a passage in the
passage viewer, and a web page's address in the browser after the link confirmation. Only
numbers of the answer's own sources are linked (a "[7]" with no source 7, or any bracket in an
answer without sources, stays text), and only in text: code, formulas and link texts never
reach here (writer.py)."""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape

from chatdesk.core.trust.links import cite_href

# "[1]", "[1, 2]", "[1,2; 3]": a bracket holding only numbers; "[1][2]" is two of them.
_GROUP = re.compile(r"\[(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\]")
_NUMBER = re.compile(r"\d{1,4}")


def cited_html(text: str, numbers: Collection[int]) -> str:
    """`text` as escaped HTML, its citations of `numbers` as anchors."""
    if not numbers or "[" not in text:
        return escape(text, quote=False)
    out: list[str] = []
    at = 0
    for group in _GROUP.finditer(text):
        out.append(escape(text[at : group.start()], quote=False))
        out.append(_group_html(group, numbers))
        at = group.end()
    out.append(escape(text[at:], quote=False))
    return "".join(out)


def _group_html(group: re.Match[str], numbers: Collection[int]) -> str:
    inside = group.group(1)
    if inside.isdigit():  # "[2]": the whole bracket is the link, an easier target
        number = int(inside)
        return _anchor(number, f"[{number}]") if number in numbers else escape(group.group())
    parts = ["["]
    at = 0
    for match in _NUMBER.finditer(inside):
        parts.append(escape(inside[at : match.start()], quote=False))
        number = int(match.group())
        parts.append(_anchor(number, match.group()) if number in numbers else match.group())
        at = match.end()
    parts.append(escape(inside[at:], quote=False) + "]")
    return "".join(parts)


def _anchor(number: int, shown: str) -> str:
    return f'<a href="{cite_href(number)}">{shown}</a>'
