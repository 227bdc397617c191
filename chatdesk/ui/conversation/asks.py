"""The window's asker, and a running call's progress on its card.

A server's question waits on the card of the call it arose in (`question_card.py`), however
long the person takes; stopping the answer withdraws it. A screen reader is told a question
waits, and the status bar says so. A question whose card is not on screen (another chat is
open) waits until it is shown. It takes the focus only when the person is not typing: with
words in the composer (or in any field that has the focus) it stays where it is, in sight,
saying which keys go to it. A call's progress (`ToolCallProgressed`, a few a second at most)
moves a bar on its card, determinate when the server gives a total, with its message; it goes
when the call ends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from chatdesk.core.chat.events import Event, MessageFinished, ToolCallChanged, ToolCallProgressed
from chatdesk.core.i18n import tr
from chatdesk.core.kinds import CallState

if TYPE_CHECKING:  # a question's card loads with the first question a server asks
    from chatdesk.core.tools.questions import Answer, Question
    from chatdesk.ui.conversation.question_card import QuestionCard

Find = Callable[[uuid.UUID, str], QWidget | None]  # a call's card on screen, by answer and call
_Key = tuple[uuid.UUID | None, str]


class ProgressLine(QWidget):
    """A bar and the server's message (plain text)."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(22, 0, 0, 2)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setMaximumWidth(240)
        self.message = QLabel()
        self.message.setObjectName("toolCaption")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.bar)
        row.addWidget(self.message, 1)

    def show_progress(self, event: ToolCallProgressed) -> None:
        if event.total is not None and event.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(1000 * min(1.0, max(0.0, event.progress / event.total))))
        else:
            self.bar.setRange(0, 0)  # moving, with no end known
        said = event.message
        if not said and event.total is not None and event.total > 0:
            # translators: a tool call's progress when its server says no more, e.g. "3 of 20"
            said = tr("{done} of {total}", done=f"{event.progress:g}", total=f"{event.total:g}")
        self.message.setText(said)
        self.bar.setAccessibleName(said or tr("Progress"))


class WindowAsks:
    """`asker` goes in `service.tools.asker`; `apply(event)` is given the chat's events."""

    def __init__(
        self, find: Find, say: Callable[[str], None], open_url: Callable[[str], bool]
    ) -> None:
        self._find = find
        self._say = say
        self._open_url = open_url
        self._waiting: dict[_Key, tuple[Question, asyncio.Future[Answer]]] = {}
        self.cards: dict[_Key, QuestionCard] = {}
        self.progress: dict[_Key, ProgressLine] = {}
        self.asker = _Asker(self)
        self.composing: Callable[[], bool] = lambda: False  # the composer holds unsent words

    async def ask(self, question: Question) -> Answer:
        key = (question.message_id, question.call_id)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[key] = (question, future)
        self._say(tr("{server} asks you a question", server=question.server))
        self._place(key)
        try:
            return await future
        finally:
            self._waiting.pop(key, None)
            card = self.cards.pop(key, None)
            if card is not None and Shiboken.isValid(card):
                card.hide()
                card.deleteLater()

    def apply(self, event: Event) -> None:
        match event:
            case ToolCallProgressed(message_id, _, call_id):
                self._progressed((message_id, call_id), event)
            case ToolCallChanged(message_id, _, call):
                if call.state != CallState.RUNNING:
                    self._drop_progress((message_id, call.call_id))
                self._place((message_id, call.call_id))
            case MessageFinished(message):  # stopped: its calls' bars go too
                for ended in [k for k in self.progress if k[0] == message.id]:
                    self._drop_progress(ended)
            case _:
                pass

    def place_all(self) -> None:
        """Put each waiting question on its card, if that card is now on screen."""
        for key in list(self._waiting):
            self._place(key)

    def _place(self, key: _Key) -> None:
        waiting = self._waiting.get(key)
        layout = self._layout_of(key) if waiting is not None else None
        if waiting is None or layout is None:
            return
        shown = self.cards.get(key)
        if shown is not None and Shiboken.isValid(shown):
            if shown.parentWidget() is layout.parentWidget():
                return  # already on this card
            # On the card of a page no longer shown (its widgets are deleted one a turn
            # later, `discarded.py`): it goes with that page; the question comes here.
            shown.hide()
            shown.deleteLater()
        from chatdesk.ui.conversation.question_card import QuestionCard

        question, future = waiting
        card = QuestionCard(question, self._open_url)
        card.answered.connect(lambda answer: _settle(future, answer))
        layout.addWidget(card)
        self.cards[key] = card
        card.show()
        if self.composing() or _typing():
            card.wait_for_keys()
        else:
            card.focus_first()

    def _progressed(self, key: _Key, event: ToolCallProgressed) -> None:
        layout = self._layout_of(key)
        if layout is None:
            return
        line = self.progress.get(key)
        if (
            line is None
            or not Shiboken.isValid(line)
            or line.parentWidget() is not layout.parentWidget()
        ):
            self._drop_progress(key)  # on the card of a page no longer shown, if anywhere
            line = ProgressLine()
            layout.insertWidget(1, line)  # under the card's title
            line.show()  # now, not on a later turn of the loop
            self.progress[key] = line
        line.show_progress(event)

    def _drop_progress(self, key: _Key) -> None:
        line = self.progress.pop(key, None)
        if line is not None and Shiboken.isValid(line):
            line.hide()
            line.deleteLater()

    def _layout_of(self, key: _Key) -> QVBoxLayout | None:
        message_id, call_id = key
        try:
            card = self._find(message_id, call_id) if message_id is not None else None
        except RuntimeError:  # the window that showed it is gone (its events may outlive it)
            return None
        layout = card.layout() if card is not None else None
        return layout if isinstance(layout, QVBoxLayout) else None


def _typing() -> bool:
    """Whether the focus is in a field holding words the person is writing."""
    field = QApplication.focusWidget()
    if isinstance(field, QLineEdit):
        return not field.isReadOnly() and bool(field.text())
    if isinstance(field, QPlainTextEdit | QTextEdit):
        return not field.isReadOnly() and not field.document().isEmpty()
    return False


def _settle(future: asyncio.Future[Answer], answer: Answer) -> None:
    if not future.done():
        future.set_result(answer)


class _Asker:
    def __init__(self, asks: WindowAsks) -> None:
        self._asks = asks

    async def ask(self, question: Question) -> Answer:
        return await self._asks.ask(question)
