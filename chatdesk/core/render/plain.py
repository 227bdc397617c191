"""The cheap, always-safe rendering: escaped text with its line breaks."""

from __future__ import annotations

from html import escape

from chatdesk.core.render.model import Rendered
from chatdesk.core.render.palette import LIGHT


def render_plain(text: str, reason: str | None = None) -> Rendered:
    """`text` as escaped plain text, linear in its length; with `reason`, a muted note above.

    The note's grey reads on both looks, so it does not depend on light/dark."""
    body = escape(_normalised(text), quote=False).replace("\n", "<br>")
    note = "" if reason is None else _note(reason)
    html = f'{note}<p style="margin: 0; white-space: pre-wrap">{body}</p>'
    return Rendered(html, {}, (), (), plain=True, reason=reason)


def _normalised(text: str) -> str:
    # Qt treats NUL as the end of the document; markdown-it replaces it the same way.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _note(reason: str) -> str:
    note = f"Shown as plain text: {escape(reason)}."
    return f'<p style="margin: 0 0 6px 0; color: {LIGHT.muted}"><i>{note}</i></p>'
