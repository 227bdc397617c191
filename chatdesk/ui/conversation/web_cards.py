"""What a card of the web's tools says beyond any tool's: a search shows the words sent to the
engine from the moment the model has written them ("Searching the web for “…”"), then how many
results it found, listed readably (title, address, snippet) where another tool's result is
shown as it came; a page read shows the address, then the title the answer cites it by; a
failure is shown on the card in the words of the error (an address refused, a server's 429 and
when to retry, a time limit).

The result is untrusted (a page's title, an engine's snippets): it is only ever shown as plain
text, and nothing in it is a link."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from chatdesk.core.i18n import isolated, ntr, tr
from chatdesk.core.kinds import CallState
from chatdesk.core.tools.model import WEB
from chatdesk.ui.conversation.frame import on_leading_side

if TYPE_CHECKING:
    from chatdesk.core.views import ToolCallView

SEARCH, READ = "web_search", "read_page"
SHOWN_ERROR = 600  # characters of a failure shown on the card (Copy result has all of it)
_NUMBERED = re.compile(r"^\[(\d{1,4})\] (.+)$")  # a page's first line: "[2] Its title"
_LIVE = (CallState.STREAMING, CallState.RUNNING)


def is_web(call: ToolCallView) -> bool:
    return call.server == WEB and call.tool in (SEARCH, READ)


def web_line(call: ToolCallView) -> str:
    """The card's line under its title: what was searched for or read, and what came of it."""
    asked = _arguments(call)
    if call.tool == SEARCH:
        return _search_line(call, " ".join(str(asked.get("query") or "").split()))
    return _read_line(call, str(asked.get("url") or "").strip())


def _search_line(call: ToolCallView, words: str) -> str:
    query = isolated(words)
    if not words:
        return tr("Searching the web…") if call.state in _LIVE else ""
    if call.state in _LIVE:
        return tr("Searching the web for “{query}”…", query=query)
    if call.state == CallState.WAITING:
        return tr("Asks to search the web for “{query}”", query=query)
    found = _results(call)
    if call.state == CallState.DONE and found is not None:
        return ntr(
            "Searched the web for “{query}”: {n} result",
            "Searched the web for “{query}”: {n} results",
            len(found),
            query=query,
        )
    if call.state in (CallState.DONE, CallState.FAILED):
        return tr("Searched the web for “{query}”", query=query)
    # translators: a web search that was not made (denied, or chatdesk stopped first)
    return tr("Search of the web for “{query}”", query=query)


def _read_line(call: ToolCallView, address: str) -> str:
    url = isolated(address)
    if not address:
        return tr("Reading a page…") if call.state in _LIVE else ""
    if call.state in _LIVE:
        return tr("Reading {address}…", address=url)
    if call.state == CallState.WAITING:
        return tr("Asks to read {address}", address=url)
    if call.state == CallState.DONE:
        first = (call.result or "").partition("\n")[0]
        numbered = _NUMBERED.match(first)
        if numbered is not None:
            # translators: a page the model read; {number} is how the answer cites it
            return tr(
                "Read “{title}” [{number}] · {address}",
                title=isolated(numbered[2].strip()),
                number=numbered[1],
                address=url,
            )
        return tr("Read {address}", address=url)
    if call.state == CallState.FAILED:
        return tr("Could not read {address}", address=url)
    # translators: a page that was not read (denied, or chatdesk stopped first)
    return tr("Page {address}", address=url)


def web_error(call: ToolCallView) -> str:
    """What went wrong, as the error said it; "" when the call did not fail."""
    if call.state != CallState.FAILED or not call.result:
        return ""
    said = call.result.strip()
    return said if len(said) <= SHOWN_ERROR else said[:SHOWN_ERROR] + "…"


def readable_result(call: ToolCallView) -> str | None:
    """A search's results as lines a person reads ("1. Title", its address, its snippet);
    None for anything else (shown as it came)."""
    found = _results(call) if call.tool == SEARCH and not call.is_error else None
    if found is None:
        return None
    if not found:
        return tr("Nothing was found.")
    blocks = []
    for index, result in enumerate(found, start=1):
        rank = result.get("rank", index)
        title = " ".join(str(result.get("title") or "").split()) or tr("(no title)")
        lines = [f"{rank}. {title}", f"   {result.get('url', '')}"]
        snippet = " ".join(str(result.get("snippet") or "").split())
        if snippet:
            lines.append(f"   {snippet}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _results(call: ToolCallView) -> list[dict[str, Any]] | None:
    """A search's results as its JSON gives them; None when the result is not that."""
    try:
        said = json.loads(call.result or "")
        found = said["results"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(found, list):
        return None
    return [r for r in found if isinstance(r, dict)]


def _arguments(call: ToolCallView) -> dict[str, Any]:
    try:
        asked = json.loads(call.arguments)
    except (ValueError, TypeError):  # still being written, or not JSON
        return {}
    return asked if isinstance(asked, dict) else {}


class WebLines(QWidget):
    """The lines a web call's card shows under its title: `line` (what was searched for or
    read) and `error` (what went wrong), each hidden while it has nothing to say."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 0, 0, 0)
        layout.setSpacing(2)
        self.line, self.error = _line("toolLine"), _line("toolError")
        layout.addWidget(self.line)
        layout.addWidget(self.error)

    def show_call(self, call: ToolCallView) -> None:
        for label, said in ((self.line, web_line(call)), (self.error, web_error(call))):
            label.setText(said)
            label.setVisible(bool(said))


def _line(name: str) -> QLabel:
    """A line of plain text (a page's title is not ours), wrapped, selectable."""
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return on_leading_side(label)
