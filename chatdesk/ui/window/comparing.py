"""Which answers on screen are part of a comparison, and their columns: an answer with
siblings is looked up once its widget is made; when it was asked of several models at once
(`ChatService.comparisons`), its widget shows all of them side by side and they follow the
core's events as they are written."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from shiboken6 import Shiboken

from chatdesk.core.chat import events as ev
from chatdesk.core.kinds import Role
from chatdesk.ui.conversation.message import MessageWidget

if TYPE_CHECKING:  # a comparison's columns load with the first comparison shown
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import MessageView
    from chatdesk.ui.conversation.comparison import ComparisonColumns
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.runner import Runner


class ComparedAnswers:
    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        formatter: Callable[[], Formatter],
        connect: Callable[[MessageWidget], None],
        reload_from: Callable[[uuid.UUID | None], None],
    ) -> None:
        """`connect(widget)` wires a column's answer to the message actions; `reload_from(id)`
        shows the branch again from that message on."""
        self._reload_from = reload_from
        self._service = service
        self._runner = runner
        self._formatter = formatter
        self._connect = connect
        self.shown: list[ComparisonColumns] = []  # the columns on screen
        self._unsubscribe = service.events.subscribe(self._on_event)

    def consider(self, widget: MessageWidget) -> None:
        """Look up whether the answer `widget` shows was one of a comparison."""
        message = widget.message
        if message.role is Role.ASSISTANT and message.sibling_count > 1:
            found = self._service.comparisons.answers_of(message.id)
            self._runner.run(found, done=functools.partial(self._found, widget), quiet=True)

    def close(self) -> None:
        self._unsubscribe()

    def _found(self, widget: MessageWidget, answers: list[MessageView]) -> None:
        if len(answers) < 2 or not Shiboken.isValid(widget):
            return
        from chatdesk.ui.conversation.comparison import ComparisonColumns

        columns = ComparisonColumns(answers, widget.message.id, self._formatter(), self._connect)
        columns.continue_with.connect(self._continue_with)
        columns.stop.connect(lambda answer_id: self._runner.run(self._service.stop(answer_id)))
        widget.show_beside(columns)
        self.shown.append(columns)

    def _continue_with(self, answer_id: uuid.UUID) -> None:
        widget = next((c.widgets[answer_id] for c in self.shown if answer_id in c.widgets), None)
        parent = widget.message.parent_id if widget is not None else None
        call = self._service.comparisons.continue_with(answer_id)
        self._runner.run(call, done=lambda _: self._reload_from(parent))

    def _on_event(self, event: ev.Event) -> None:
        self.shown = [c for c in self.shown if Shiboken.isValid(c)]
        if not self.shown:
            return
        match event:
            case ev.AnswerTextAppended(message_id, _, text, reasoning, offset, _):
                for columns in self.shown:
                    if not columns.append(message_id, text, reasoning, offset):
                        self._read_again(columns, message_id)
            case ev.MessageFinished(message) | ev.AnswerContinued(message):
                for columns in self.shown:
                    columns.show_answer(message)
            case _:
                pass

    def _read_again(self, columns: ComparisonColumns, message_id: uuid.UUID) -> None:
        self._runner.run(
            self._service.get_message(message_id), done=columns.show_answer, quiet=True
        )
