"""A comparison on screen: its answers side by side, one column each, in place of the answer on
the branch. Each column is a full answer (formatted, streaming, its figures below it: model,
tokens, cost, time to first token) that can be stopped alone; "Continue with this one" makes it
the branch shown and its model the chat's."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.kinds import Status
from chatdesk.ui.conversation.message import MessageWidget

if TYPE_CHECKING:
    from chatdesk.core.views import MessageView
    from chatdesk.ui.conversation.formatter import Formatter

COMPARISON_STYLE = """
#comparisonColumn { border: 1px solid palette(mid); border-radius: 8px; padding: 1px; }
#comparisonColumn[shown="true"] { border: 2px solid palette(highlight); padding: 0; }
#comparisonModel { font-weight: 600; }
"""


class ComparisonColumns(QFrame):
    continue_with = Signal(object)  # an answer's id
    stop = Signal(object)  # an answer's id

    def __init__(
        self,
        answers: list[MessageView],
        shown: uuid.UUID,
        formatter: Formatter,
        connect: Callable[[MessageWidget], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("comparison")
        self.setStyleSheet(COMPARISON_STYLE)
        count = len(answers)
        self.setAccessibleName(ntr("{n} answers side by side", "{n} answers side by side", count))
        self.sideways = _Sideways(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.sideways)
        row = QHBoxLayout(self.sideways.row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.widgets: dict[uuid.UUID, MessageWidget] = {}
        self.stop_buttons: dict[uuid.UUID, QPushButton] = {}
        self.continue_buttons: dict[uuid.UUID, QPushButton] = {}
        for answer in answers:
            row.addWidget(self._column(answer, answer.id == shown, formatter, connect), 1)

    def _column(
        self,
        answer: MessageView,
        shown: bool,
        formatter: Formatter,
        connect: Callable[[MessageWidget], None],
    ) -> QFrame:
        column = QFrame(self.sideways.row)
        column.setObjectName("comparisonColumn")
        column.setProperty("shown", shown)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(6, 6, 6, 6)
        title = QLabel(f"{answer.model} · {answer.provider}", column)
        title.setObjectName("comparisonModel")
        title.setWordWrap(True)
        widget = MessageWidget(answer, formatter, column)
        widget.as_column()
        connect(widget)
        buttons = QHBoxLayout()
        chosen = QPushButton(tr("Continue with this one"), column)
        chosen.setAccessibleName(tr("Continue with the answer of {model}", model=answer.model))
        chosen.setToolTip(tr("Show this answer's branch; its model answers from now on"))
        chosen.clicked.connect(lambda: self.continue_with.emit(answer.id))
        if shown:
            # translators: a greyed button over the compared answer the chat goes on with
            chosen.setText(tr("Shown"))
            chosen.setEnabled(False)
        # translators: a button that stops one compared answer being written
        stop = QPushButton(tr("Stop"), column)
        stop.setAccessibleName(tr("Stop the answer of {model}", model=answer.model))
        stop.clicked.connect(lambda: self.stop.emit(answer.id))
        buttons.addWidget(chosen)
        buttons.addStretch(1)
        buttons.addWidget(stop)
        layout.addWidget(title)
        layout.addWidget(widget, 1)
        layout.addLayout(buttons)
        self.widgets[answer.id] = widget
        self.stop_buttons[answer.id] = stop
        self.continue_buttons[answer.id] = chosen
        stop.setVisible(not answer.status.is_final)
        return column

    def show_answer(self, message: MessageView) -> None:
        """An answer as stored now (finished, or read again)."""
        widget = self.widgets.get(message.id)
        if widget is not None:
            widget.update_message(message)
            self.stop_buttons[message.id].setVisible(not message.status.is_final)

    def append(self, message_id: uuid.UUID, text: str, reasoning: str, offset: int) -> bool:
        """Streamed text for one of the answers; False when it does not join up (read the
        answer again)."""
        widget = self.widgets.get(message_id)
        if widget is None:
            return True
        message = widget.message
        if offset != len(message.content):
            return offset < len(message.content)  # already seen
        widget.update_message(
            dataclasses.replace(
                message,
                status=Status.STREAMING,
                content=message.content + text,
                reasoning=((message.reasoning or "") + reasoning) or None,
            )
        )
        return True


class _Sideways(QScrollArea):
    """The answers' row, as tall as it is: in a view narrower than the answers need side by
    side (the window at its smallest), it scrolls sideways inside the comparison, a scroll bar
    under it, rather than widening the conversation past the window's edge."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonRow")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the answers' own controls
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.row = row = QWidget(self)
        row.setObjectName("comparisonAnswers")
        self.setWidget(row)
        self.viewport().setAutoFillBackground(False)  # the conversation's ground shows through
        row.setAutoFillBackground(False)
        row.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.row and event.type() in (
            QEvent.Type.LayoutRequest,
            QEvent.Type.Resize,
        ):
            self._fit()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as the answers at the width they get, and the scroll bar when it shows."""
        row = self.row.minimumSizeHint()
        height = row.height()
        if row.width() > self.width():
            height += self.horizontalScrollBar().sizeHint().height()
        if height != self.height():
            self.setFixedHeight(height)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.height())

    def sizeHint(self) -> QSize:
        return QSize(self.row.sizeHint().width(), self.height())
