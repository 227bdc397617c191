"""The status line's words about answers the user may not be watching: a wait or a retry
before an answer starts, shown for as long as it lasts, documents sent in part because they did
not fit the model's context, a spending cap an answer brought near, and an answer that failed
in a thread other than the one shown."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStatusBar

from chatdesk.core.i18n import tr
from chatdesk.core.kinds import Status

if TYPE_CHECKING:  # the core's events load with the core, after the first paint
    from chatdesk.core.chat.events import Event


SHORTENED_SECONDS = 30
CAP_SECONDS = 30


class AnswerNotices:
    def __init__(self, status: QStatusBar, current_thread: Callable[[], uuid.UUID | None]) -> None:
        self._status = status
        self._current = current_thread

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat import events as ev

        match event:
            case ev.AnswerWaiting(_, thread_id, seconds, reason):
                text = tr("Waiting {seconds:.0f} s: {reason}", seconds=seconds, reason=reason)
                self._say_about(thread_id, text, seconds)
            case ev.AnswerRetrying(_, thread_id, attempt, delay, reason):
                text = tr(
                    "Retrying in {delay:.0f} s (attempt {attempt}): {reason}",
                    delay=delay,
                    attempt=attempt + 1,
                    reason=reason,
                )
                self._say_about(thread_id, text, delay)
            case ev.AnswerShortened(_, thread_id, left_out):
                text = tr(
                    "Sent in part, to fit the model's context: {parts} left out.",
                    parts="; ".join(left_out),
                )
                self._say_about(thread_id, text, SHORTENED_SECONDS)
            case ev.CapNear(_, said):
                self._status.showMessage(said, CAP_SECONDS * 1000)
            case ev.MessageFinished(message) if message.thread_id != self._current():
                if message.status is Status.ERROR:
                    detail = message.error_detail
                    self._status.showMessage(
                        tr("An answer in another thread failed: {detail}", detail=detail)
                    )
            case _:
                pass

    def _say_about(self, thread_id: uuid.UUID, text: str, seconds: float) -> None:
        if thread_id != self._current():
            text = tr("An answer in another thread: {text}", text=text)
        self._status.showMessage(text, round((seconds + 1) * 1000))
