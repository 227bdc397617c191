"""An answer's tool calls: their cards in order, folded under one line when there are many,
and "Allow all" when several calls of a round wait. The answer's words written before a call
stand above its card, where the model wrote them (`set_words`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QPushButton, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.kinds import CallState
from chatdesk.core.tools.model import MEMORY
from chatdesk.ui.conversation.tool_card import ToolCallCard
from chatdesk.ui.conversation.tool_summary import summary_line

if TYPE_CHECKING:
    from chatdesk.core.views import ToolCallView
    from chatdesk.ui.attachments.thumbnails import Thumbnails
    from chatdesk.ui.conversation.memory_card import MemoryWords


class ToolCallList(QWidget):
    """An answer's cards, in order, and "Allow all" when several calls of a round wait.

    An answer with more than `FOLD_OVER` calls shows its finished ones folded under one line
    ("50 tool calls: 48 done, 2 failed"), and the calls that wait or run as cards; unfolded,
    the cards are made `CHUNK` per turn of the event loop, so a long list never holds up the
    window."""

    decided = Signal(str, object)  # call id, choice (or a memory card's `Edited`)
    attachment_action = Signal(object, str)  # an image a result gave, what to do with it

    def __init__(self, parent: QWidget | None = None, memory: MemoryWords | None = None) -> None:
        super().__init__(parent)
        self._memory = memory  # a memory's current words, for its tools' cards
        self.setObjectName("toolCalls")
        self._thumbnails: Thumbnails | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(4)
        self.cards: dict[str, ToolCallCard] = {}
        self._calls: tuple[ToolCallView, ...] = ()
        self._summary = QToolButton()
        self._summary.setObjectName("toolSummary")
        self._summary.setCheckable(True)
        self._summary.setAutoRaise(True)
        self._summary.toggled.connect(lambda _: self._arrange())
        self._summary.hide()
        self._layout.addWidget(self._summary, 0, Qt.AlignmentFlag.AlignLeft)
        self._all = QPushButton()
        self._all.setObjectName("toolChoice")
        self._all.setToolTip(tr("Run every call that waits for you"))
        self._all.clicked.connect(self._allow_all)
        self._layout.addWidget(self._all, 0, Qt.AlignmentFlag.AlignLeft)
        self._pending = False  # more cards are to be made on the next turn of the loop
        # The words written before each place of calls (None: none), with those calls' ids.
        self._words: list[tuple[QWidget | None, tuple[str, ...]]] = []

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._thumbnails

    @thumbnails.setter
    def thumbnails(self, thumbnails: Thumbnails) -> None:
        self._thumbnails = thumbnails
        for card in self.cards.values():
            card.thumbnails = thumbnails

    @property
    def folded(self) -> bool:
        return len(self._calls) > FOLD_OVER and not self._summary.isChecked()

    def show_calls(self, calls: tuple[ToolCallView, ...]) -> None:
        self._calls = calls
        for call in calls:
            card = self.cards.get(call.call_id)
            if card is not None and not card.fits(call):  # a memory tool's, known by its server
                del self.cards[call.call_id]  # made again below, as its own kind
                self._layout.removeWidget(card)
                card.hide()
                card.deleteLater()
            elif card is not None:
                card.show_call(call)
        waiting = [c for c in calls if _allowed_with_others(c)]
        count = len(waiting)
        self._all.setText(ntr("Allow all {n} calls", "Allow all {n} calls", count))
        self._all.setAccessibleName(
            ntr("Allow all {n} waiting tool calls", "Allow all {n} waiting tool calls", count)
        )
        self._all.setVisible(len(waiting) > 1)
        self._arrange()

    def set_words(self, words: Sequence[tuple[QWidget | None, tuple[str, ...]]]) -> None:
        """Show each piece of the answer's words above the calls the model made after writing
        it (the ids given with it); the words after the last calls are the message's own."""
        for widget, _ in self._words:
            if widget is not None and all(widget is not w for w, _ in words):
                self._layout.removeWidget(widget)
        self._words = list(words)
        self._order()
        for widget, _ in self._words:
            if widget is not None:
                widget.show()  # now, not on a later turn of the loop: what is shown is known

    def _order(self) -> None:
        """The summary line, then each piece of words with its calls' cards, then the cards of
        calls not placed (in the answer's order), then "Allow all"."""
        wanted: list[QWidget] = [self._summary]
        placed: set[str] = set()
        for widget, ids in self._words:
            if widget is not None:
                wanted.append(widget)
            wanted += [self.cards[i] for i in ids if i in self.cards]
            placed.update(ids)
        unplaced = [c.call_id for c in self._calls if c.call_id not in placed]
        wanted += [self.cards[i] for i in unplaced if i in self.cards]
        wanted.append(self._all)
        for index, widget in enumerate(wanted):
            if self._layout.indexOf(widget) != index:
                self._layout.removeWidget(widget)
                left = widget in (self._summary, self._all)
                self._layout.insertWidget(index, widget, 0, _LEFT if left else _NONE)

    def _arrange(self) -> None:
        """Show the summary line when there are many calls, hide the folded cards, and make
        the cards still to be shown: at once when few, else a chunk per turn of the loop."""
        many = len(self._calls) > FOLD_OVER
        self._summary.setVisible(many)
        if many:
            self._summary.setText(summary_line(self._calls, self._summary.isChecked()))
            count = len(self._calls)
            if self._summary.isChecked():
                said = ntr("Hide all {n} tool call", "Hide all {n} tool calls", count)
            else:
                said = ntr("Show all {n} tool call", "Show all {n} tool calls", count)
            self._summary.setAccessibleName(said)
        folded = self.folded
        for call in self._calls:
            card = self.cards.get(call.call_id)
            if card is not None:
                card.setVisible(not folded or call.state in _LIVE)
        missing = self._missing()
        if len(missing) <= FOLD_OVER:
            self._make(missing)
        elif not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._make_chunk)  # none once the list is gone

    def _missing(self) -> list[ToolCallView]:
        folded = self.folded
        return [
            call
            for call in self._calls
            if call.call_id not in self.cards and (not folded or call.state in _LIVE)
        ]

    def _make_chunk(self) -> None:
        self._pending = False
        missing = self._missing()
        self._make(missing[:CHUNK])
        if len(missing) > CHUNK:
            self._pending = True
            QTimer.singleShot(0, self, self._make_chunk)  # none once the list is gone

    def _make(self, calls: list[ToolCallView]) -> None:
        for call in calls:
            card = self._card(call)
            card.decided.connect(self.decided)
            card.attachment_action.connect(self.attachment_action)
            self.cards[call.call_id] = card
            self._layout.addWidget(card)
        self._order()  # each card after the summary line and its words, in order
        for call in calls:
            self.cards[call.call_id].show()  # now, not on a later turn: what is shown is known

    def _card(self, call: ToolCallView) -> ToolCallCard:
        if call.server != MEMORY:
            return ToolCallCard(call, thumbnails=self._thumbnails)
        from chatdesk.ui.conversation.memory_card import MemoryCallCard

        return MemoryCallCard(call, thumbnails=self._thumbnails, words=self._memory)

    def _allow_all(self) -> None:
        for call_id, card in self.cards.items():
            if _allowed_with_others(card.call):
                self.decided.emit(call_id, "once")


def _allowed_with_others(call: ToolCallView) -> bool:
    """A waiting call that "Allow all" decides: not the memory's, whose words the user keeps,
    edits or refuses on its own card."""
    return call.state == CallState.WAITING and call.server != MEMORY


_LEFT = Qt.AlignmentFlag.AlignLeft
_NONE = Qt.AlignmentFlag(0)
FOLD_OVER = 6  # calls an answer shows as cards before folding its finished ones
CHUNK = 2  # cards made per turn of the event loop (about 3 ms, and a layout)
# Shown as cards even when the list is folded.
_LIVE = (CallState.STREAMING, CallState.WAITING, CallState.RUNNING)
