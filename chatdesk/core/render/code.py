"""Code blocks: a card, its head the language and a Copy action, over the highlighted code.

Highlighting writes inline `style="color: …"` spans (Qt lays out inline styles about twice as
fast as classes and honours them fully). The lexer is chosen by the fence's language name only:
guessing a lexer runs every lexer over the text, and some have catastrophic backtracking on
crafted input. Blocks above the caps are shown in plain monospace without running a lexer.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound

from chatdesk.core.i18n import tr
from chatdesk.core.render.model import ICON_PREFIX, ReadingType
from chatdesk.core.render.palette import Palette
from chatdesk.core.trust.links import copy_code_href

MAX_HIGHLIGHT_CHARS = 32_000
MAX_HIGHLIGHT_LINE = 2_000
_MAX_LABEL = 60
_GAP = "\u00a0" * 4  # between a block's label and its Copy (no-break: never collapsed)


def code_block_html(
    code: str, language: str, info: str, number: int, palette: Palette, reading: ReadingType
) -> str:
    """A card: a head (the fence's info string, a Copy link beside it) over the code on the
    code ground, highlighted for `language` when it is known, set at code's size and line
    height. A table of one column: its rows are the head and the code, the window draws their
    grounds as one rounded card (`reading.grounds_drawn`), else each row has its colour. The
    code keeps its lines (`pre`): a long one widens the block and the message scrolls sideways,
    so Copy stands at the start of the head, in sight however wide the code is."""
    body = highlighted(code, language, palette.code_style) or escape(code, quote=False)
    # translators: the label of a code block whose language is not named
    label = escape(info if len(info) <= _MAX_LABEL else info[:_MAX_LABEL] + "…") or tr("code")
    drawn = reading.grounds_drawn
    ground = "" if drawn else f' bgcolor="{palette.code_background}"'
    head = "" if drawn else f' bgcolor="{palette.code_header_background}"'
    down, across = reading.code
    size = code_size(reading)
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0"{ground}'
        f' style="margin-top: {reading.block}px; margin-bottom: {reading.block}px">'
        f'<tr><td{head} style="{size}padding: {down * 3 // 4}px {across}px; '
        f'color: {palette.muted}">{label}{_GAP}{_copy(number)}</td></tr>'
        f'<tr><td style="padding: {down}px {across}px">'
        f'<pre style="margin: 0; white-space: pre; color: {palette.code_text}; {size}'
        f'line-height: {reading.code_line_height}%">{body}</pre></td></tr></table>'
    )


def code_size(reading: ReadingType) -> str:
    """The CSS of code's size (nothing when it is the text's), with its `; `."""
    return f"font-size: {reading.code_pt:g}pt; " if reading.code_pt > 0 else ""


def text_block_html(
    text: str, label: str, number: int, palette: Palette, reading: ReadingType
) -> str:
    """`text` in monospace on the code background under a muted label and a Copy link, with
    no table around it: Qt lays out a table cell's content more than once, which a long text
    block cannot afford."""
    return (
        f'<p style="margin-top: {reading.block}px; margin-bottom: 0; color: {palette.muted}">'
        f"{escape(label)}{_GAP}{_copy(number)}</p>"
        f'<pre style="margin-top: 0; margin-bottom: {reading.block}px; white-space: pre-wrap; '
        f"background-color: {palette.code_background}; color: {palette.code_text}; "
        f'{code_size(reading)}">{escape(text, quote=False)}</pre>'
    )


def _copy(number: int) -> str:
    """The Copy link: the window's copy icon (ICON_PREFIX, drawn by the window in the look's
    colours) and the word, which a screen reader reads."""
    # translators: a link above a code block that copies the code
    word = escape(tr("Copy"), quote=False)
    return (
        f'<a href="{copy_code_href(number)}" style="text-decoration: none">'
        f'<img src="{ICON_PREFIX}copy" width="14" height="14" style="vertical-align: middle">'
        f"\u00a0{word}</a>"
    )


def highlighted(code: str, language: str, style_name: str) -> str | None:
    """`code` as escaped HTML with inline colour spans, or None when it is not highlighted
    (unknown language, or too big to run a lexer on)."""
    if len(code) > MAX_HIGHLIGHT_CHARS or _longest_line(code) > MAX_HIGHLIGHT_LINE:
        return None
    lexer = _lexer(language.lower())
    if lexer is None:
        return None
    try:
        tokens = list(lexer.get_tokens(code))
    except Exception:  # a lexer bug must cost the colours, not the message
        return None
    return "".join(_spans(tokens, style_name))


def _spans(tokens: list[tuple[_TokenType, str]], style_name: str) -> list[str]:
    """One span per run of same-styled tokens (whitespace joins any run): fewer spans make a
    cheaper Qt layout."""
    parts: list[str] = []
    run: list[str] = []
    run_style = ""
    for token_type, value in tokens:
        style = run_style if value.isspace() else _inline_style(style_name, token_type)
        if style != run_style:
            parts.append(_span(run_style, "".join(run)))
            run, run_style = [], style
        run.append(value)
    parts.append(_span(run_style, "".join(run)))
    return parts


def _span(style: str, text: str) -> str:
    text = escape(text, quote=False)
    return f'<span style="{style}">{text}</span>' if style and text else text


def _longest_line(code: str) -> int:
    return max(map(len, code.split("\n")))


@lru_cache(maxsize=128)
def _lexer(name: str) -> Lexer | None:
    if not name:
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False, tabsize=4)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1024)
def _inline_style(style_name: str, token_type: _TokenType) -> str:
    """CSS for one token type in one style: colour, bold, italic (what Qt draws).

    Lexers may emit token types a style does not list (`Token.Pitch`, `String.Name`); like
    Pygments' own formatters, such a token takes the style of its nearest listed parent."""
    style: StyleMeta = get_style_by_name(style_name)
    while not style.styles_token(token_type) and token_type.parent is not None:
        token_type = token_type.parent
    if not style.styles_token(token_type):
        return ""
    spec = style.style_for_token(token_type)
    rules = [f"color: #{spec['color']}"] if spec["color"] else []
    if spec["bold"]:
        rules.append("font-weight: bold")
    if spec["italic"]:
        rules.append("font-style: italic")
    return "; ".join(rules)
