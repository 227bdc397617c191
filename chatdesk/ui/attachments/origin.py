"""Where an attachment was read from, when it was a tool server's resource: said on its chip's
tooltip in the composer and in the message, as plain text (the server's URI is not ours)."""

from __future__ import annotations

import html
from typing import Protocol

from PySide6.QtWidgets import QWidget

from chatdesk.core.i18n import tr


class Attached(Protocol):
    @property
    def origin_server(self) -> str: ...

    @property
    def origin_uri(self) -> str: ...


def origin_text(item: Attached) -> str:
    """ "From the server notes: note://shopping", or "" for a file or a paste."""
    if not item.origin_server:
        return ""
    # translators: where an attached resource was read from: a tool server's name, its address
    return tr("From the server {server}: {uri}", server=item.origin_server, uri=item.origin_uri)


def origin_html(item: Attached) -> str:
    """The same as a paragraph of a rich-text tooltip ("" for none)."""
    said = origin_text(item)
    return f"<p>{html.escape(said)}</p>" if said else ""


def show_origin(widget: QWidget, item: Attached) -> None:
    """Add the origin to a chip's tooltip (made rich text, its own text escaped) and spoken
    description."""
    said = origin_text(item)
    if not said:
        return
    tip = widget.toolTip()
    widget.setToolTip(f"<p>{html.escape(tip)}</p>{origin_html(item)}" if tip else origin_html(item))
    described = widget.accessibleDescription()
    widget.setAccessibleDescription(f"{described}; {said}" if described else said)
