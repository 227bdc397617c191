"""An answer's words written before its tool calls, each piece in a view of its own above the
calls the model made after writing it (`ToolCallList.set_words`); the words after the last
calls stay in the message's body. An answer that wrote nothing before its calls, or made
none, has no piece here, and its body holds all its words as before."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.trust.links import COPY_CODE_PREFIX, copy_code_href
from chatdesk.core.views import placed_calls
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.conversation.message_text import MessageText

if TYPE_CHECKING:
    from chatdesk.core.views import MessageView
    from chatdesk.ui.conversation.formatter import Formatter


Words = tuple[QWidget | None, tuple[str, ...]]  # a piece's view (None: blank), its calls' ids


class LeadWords:
    """`link_activated(href)` for a link in a piece, as the body's."""

    def __init__(self, formatter: Formatter, link_activated: Callable[[str], None]) -> None:
        self._formatter = formatter
        self._link_activated = link_activated
        self.pieces: list[tuple[MessageBrowser, MessageText]] = []
        self._used = 0  # the pieces now shown: the first so many

    def show(self, message: MessageView) -> tuple[list[Words], str]:
        """Each piece written before calls (its view, or None when it is blank) with the ids of
        those calls, and the words after the last calls, which the body shows."""
        *before, (rest, _) = placed_calls(message.content, message.tool_calls)
        words: list[Words] = []
        used = 0
        for text, calls in before:
            ids = tuple(call.call_id for call in calls)
            if not text.strip():
                words.append((None, ids))
                continue
            browser, formatting = self._piece(used)
            used += 1
            formatting.show(dataclasses.replace(message, content=text.strip("\n")))
            words.append((browser, ids))
        for browser, _ in self.pieces[used:]:
            browser.hide()
        self._used = used
        return words, rest.lstrip("\n") if words else rest

    def shown(self) -> list[MessageBrowser]:
        """The views of the pieces shown, in order (Find looks in them too)."""
        return [browser for browser, _ in self.pieces[: self._used]]

    def plain(self) -> str:
        """The pieces' words as shown, as plain text."""
        return "\n\n".join(browser.toPlainText() for browser in self.shown())

    def code_blocks(self) -> tuple[str, ...]:
        """The pieces' code blocks, in order: the body's come after them."""
        return tuple(code for _, text in self.pieces[: self._used] for code in text.code_blocks())

    def numbered(self, href: str, piece: int | None) -> str:
        """`href` of piece `piece` (None: the body's) as the message's whole list of code
        blocks numbers it: each view numbers its own from 0."""
        if not href.startswith(COPY_CODE_PREFIX) or not href[len(COPY_CODE_PREFIX) :].isdigit():
            return href
        before = self.pieces[: self._used if piece is None else piece]
        skipped = sum(len(text.code_blocks()) for _, text in before)
        return copy_code_href(int(href[len(COPY_CODE_PREFIX) :]) + skipped)

    def refresh(self) -> None:
        for _, formatting in self.pieces:
            formatting.forget()

    def _piece(self, index: int) -> tuple[MessageBrowser, MessageText]:
        if index < len(self.pieces):
            return self.pieces[index]
        browser = MessageBrowser()
        browser.setAccessibleName(tr("Answer"))
        browser.link_activated.connect(lambda h: self._link_activated(self.numbered(h, index)))
        made = (browser, MessageText(browser, self._formatter, lambda: None))
        self.pieces.append(made)
        return made
