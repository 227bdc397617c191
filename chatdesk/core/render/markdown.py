"""Model output (untrusted markdown) → safe HTML for Qt's rich-text engine.

markdown-it-py parses CommonMark + GFM tables and strikethrough, the dialect models write;
`html=False` makes any raw HTML in the text show as text. Our own math rules add TeX formulas.
The writer (writer.py) then decides every tag of the output.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from chatdesk.core.i18n import tr
from chatdesk.core.render.limits import MAX_DEPTH, refusal_reason
from chatdesk.core.render.mathsyntax import math_plugin
from chatdesk.core.render.model import Rendered, RenderOptions
from chatdesk.core.render.plain import render_plain
from chatdesk.core.render.writer import HtmlWriter

# Finding a link's closing bracket rescans the paragraph from every "[" (so "[" * 10_000 takes
# over a second); a paragraph whose bracket scans would exceed this many characters is shown
# as text instead (~40 ms of scanning).
BRACKET_BUDGET = 2_000_000
_BRACKET = re.compile(r"(?<!\\)[\[\]]")


def render_markdown(text: str, options: RenderOptions = RenderOptions()) -> Rendered:  # noqa: B008
    """`text` as HTML for a QTextBrowser, or as plain text when it is too big or too deep to
    format quickly. Pure and synchronous: run it in `RenderWorker` for a time bound."""
    reason = refusal_reason(text)
    if reason is not None:
        return render_plain(text, reason, options.palette, options.reading.line_height)
    try:
        tokens = _parser().parse(text)
    except RecursionError:
        return render_plain(
            text, tr("could not be formatted"), options.palette, options.reading.line_height
        )
    return HtmlWriter(options).render(tokens)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return new_parser(html=False)


def new_parser(*, html: bool) -> MarkdownIt:
    """The dialect models write, as the window formats it: with `html`, raw HTML is parsed as
    HTML tokens (for readers that leave it out) rather than kept as text."""
    parser = MarkdownIt(
        "commonmark",
        # Every container level is two token levels (list + item); MAX_DEPTH is enforced
        # before parsing, so markdown-it's own limit (which drops deeper text) is never hit.
        {"html": html, "linkify": False, "typographer": False, "maxNesting": 2 * MAX_DEPTH + 20},
    )
    parser.enable(["table", "strikethrough"])
    # markdown-it leaves links to javascript:/file:/data: as literal markdown; the writer
    # refuses those itself (and every other non-web scheme), showing link text and target alike.
    parser.validateLink = _every_link_reaches_the_writer  # type: ignore[method-assign]
    math_plugin(parser)
    parser.core.ruler.before("inline", "bracket_budget", _plain_costly_paragraphs)
    return parser


def _every_link_reaches_the_writer(url: str) -> bool:
    return True


def _plain_costly_paragraphs(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and _bracket_work(token.content) > BRACKET_BUDGET:
            token.type = "inline_plain"  # the writer shows its content as text


def _bracket_work(text: str) -> int:
    """Characters markdown-it would scan looking for closing brackets: from each "[" to its
    match, or to the end for an unmatched one."""
    if text.count("[") < 100:
        return 0
    opened: list[int] = []
    work = 0
    for match in _BRACKET.finditer(text):
        if match.group() == "[":
            opened.append(match.start())
        elif opened:
            work += match.start() - opened.pop()
    return work + sum(len(text) - start for start in opened)
