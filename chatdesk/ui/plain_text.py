"""Text chatdesk did not write (a tool server's names, descriptions, messages), shown as it is.

Qt renders a tooltip as rich text when it "might be" markup, so a description holding
`<img src=…>` would show a picture fetched from its address. `plain_tip` escapes the text and
wraps it in a paragraph that keeps its line breaks; labels of such text set
`Qt.TextFormat.PlainText` instead."""

from __future__ import annotations

import html


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as it is, line breaks kept ("" for none)."""
    return f'<p style="white-space:pre-wrap">{html.escape(text)}</p>' if text else ""
