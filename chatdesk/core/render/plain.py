"""The cheap, always-safe rendering: escaped text with its line breaks."""

from __future__ import annotations

import re
from html import escape

from chatdesk.core.i18n import tr
from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.model import Rendered
from chatdesk.core.render.palette import Palette


def render_plain(
    text: str, reason: str | None = None, palette: Palette = DOCUMENT, line_height: int = 100
) -> Rendered:
    """`text` as escaped plain text, linear in its length, its lines `line_height` percent of
    the font's own; with `reason`, a note above in the palette's muted colour."""
    body = escape(shown_plain(text), quote=False).replace("\n", "<br>")
    note = "" if reason is None else _note(reason, palette.muted)
    lines = f"line-height: {line_height}%"
    html = f'{note}<p style="margin: 0; white-space: pre-wrap; {lines}">{body}</p>'
    return Rendered(html, {}, (), (), plain=True, reason=reason)


_UNSHOWABLE = re.compile("[\0\ud800-\udfff]")
# Two or more blank (or blank-looking) lines in a row, after a line break.
_BLANK_RUN = re.compile(r"\n(?:[ \t]*+\n){2,}+")


def plain_text(text: str) -> str:
    """`text` as it may be put into a Qt document as plain text: line breaks as LF, and NUL
    and lone surrogates (which Qt keeps as a NUL or drops) as U+FFFD, as markdown-it does.

    Every way text reaches a view as it is (the plain fallback, the text shown while a
    message is being formatted, a streaming answer's tail, reasoning) goes through here."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSHOWABLE.sub("\ufffd", text)


def shown_plain(text: str) -> str:
    """`text` as a whole message is shown as plain text: `plain_text`, with every run of blank
    lines drawn as one blank line, as formatting draws it. Qt lays out each line of a plain
    text, ~60 µs apiece: an answer of 50,000 blank lines would hold the window for seconds to
    show nothing. Linear in the length; only what is shown changes (the message, and so Copy,
    keeps every line)."""
    return _BLANK_RUN.sub("\n\n", plain_text(text))


def _note(reason: str, muted: str) -> str:
    note = tr("Shown as plain text: {reason}.", reason=escape(reason))
    return f'<p style="margin: 0 0 6px 0; color: {muted}"><i>{note}</i></p>'
