"""Summaries in the window: the divider's summary, what its buttons do, "Summarise now" and
its busy state in the status bar.

The summary shown is the one the next request sends (`SummaryView.in_use`), read again when
summaries, the branch or the thread change, never more than one read at a time. Summaries
never block the conversation: their calls are quiet (the composer stays usable) and a failure
is a status-bar message, since the conversation is as it was.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QStatusBar, QToolButton, QWidget

from chatdesk.core.chat import events as ev
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.service import ChatService
from chatdesk.core.views import SummaryView
from chatdesk.ui.coalesce import LatestRead
from chatdesk.ui.conversation.divider import SummaryDivider, summary_meta
from chatdesk.ui.conversation.model import ConversationModel
from chatdesk.ui.questions import ask
from chatdesk.ui.runner import Runner

# The service announces when a summary starts, is stored or fails, not when a run that stored
# its last round ends; while one runs, the window looks again at this pace (a dict lookup).
BUSY_CHECK_MS = 250
STATUS_MS = 15_000
STOPPED = mark("Summary stopped; the conversation is as it was.")
NOTHING_TO_SUMMARISE = mark(
    "Nothing to summarise yet: the last question and answer are always sent as they are."
)

InUse = tuple[uuid.UUID, SummaryView | None, int]  # thread, summary in use, its covered depth


class SummaryStatus(QWidget):
    """ "Summarising earlier messages…" with Cancel, in the status bar while it lasts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryStatus")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(6)
        self.label = QLabel(tr("Summarising earlier messages…"))
        self.label.setAccessibleName(tr("Summary state"))
        self.cancel = QToolButton()
        self.cancel.setText(tr("Cancel"))
        self.cancel.setAccessibleName(tr("Stop summarising"))
        self.cancel.setToolTip(tr("Stop summarising; the conversation stays as it is"))
        layout.addWidget(self.label)
        layout.addWidget(self.cancel)


class SummaryActions(QObject):
    busy_changed = Signal()  # the shown thread started or stopped summarising
    summaries_changed = Signal()  # a summary of the shown thread was made, edited or deleted

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        model: ConversationModel,
        divider: SummaryDivider,
        status: QStatusBar,
        owner: QWidget,
    ) -> None:
        super().__init__(owner)
        self._service = service
        self._runner = runner
        self._model = model
        self._status = status
        self._owner = owner
        self._asked: set[uuid.UUID] = set()  # "Summarise now" calls not yet returned
        self._count = 0  # the shown thread's summaries, the one in use included
        self.dialog: QWidget | None = None  # the dialog or question opened last (for tests)
        self.indicator = SummaryStatus()
        self.indicator.cancel.clicked.connect(self.cancel)
        self.indicator.hide()
        status.addPermanentWidget(self.indicator)
        self._was_busy = False
        self._check = QTimer(self, interval=BUSY_CHECK_MS)
        self._check.timeout.connect(self._update_busy)
        # A read that fails (the thread or summary went meanwhile) shows nothing: the event
        # that says what went comes with a later read.
        self._reader: LatestRead[InUse] = LatestRead(
            runner, self._read, self._show, failure=lambda error: None, parent=self
        )
        divider.edit_requested.connect(self.edit)
        divider.delete_requested.connect(self.ask_delete)

    @property
    def thread_id(self) -> uuid.UUID | None:
        return self._model.thread_id

    def busy(self, thread_id: uuid.UUID | None = None) -> bool:
        """Whether a summary of the thread (the shown one by default) is being written."""
        thread_id = thread_id or self.thread_id
        return thread_id is not None and (
            thread_id in self._asked or self._service.summarizing(thread_id)
        )

    # -- the summary in use ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the shown thread's summary in use again (a thread opened, the branch changed)."""
        self._reader.now()
        self._update_busy()

    def _read(self) -> Coroutine[Any, Any, InUse] | None:
        thread_id = self.thread_id
        return None if thread_id is None else self._in_use(thread_id)

    async def _in_use(self, thread_id: uuid.UUID) -> InUse:
        summaries = await self._service.list_summaries(thread_id)
        summary = next((s for s in summaries if s.in_use), None)
        self._count = len(summaries) if thread_id == self.thread_id else self._count
        if summary is None:
            return thread_id, None, -1
        covered = await self._service.get_message(summary.covers_through_message_id)
        return thread_id, summary, covered.depth

    def _show(self, found: InUse) -> None:
        if found[0] == self.thread_id:
            _, summary, depth = found
            self._model.set_summary(summary, depth)

    # -- events ----------------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        match event:
            case ev.SummaryStarted(thread_id):
                self._update_busy()
            case ev.SummaryCreated(summary):
                self._changed(summary.thread_id)
                if summary.thread_id == self.thread_id and summary.thread_id not in self._asked:
                    meta = summary_meta(summary)
                    self._say(tr("Earlier messages were summarised ({meta}).", meta=meta))
            case ev.SummaryUpdated(summary):
                self._changed(summary.thread_id)
            case ev.SummaryDeleted(thread_id, _):
                self._changed(thread_id)
            case ev.SummaryFailed(thread_id, reason):
                self._failed(thread_id, reason)
            case ev.BranchSwitched(thread_id) | ev.MessagesDeleted(thread_id):
                if thread_id == self.thread_id:
                    self.reload()
            case _:
                pass

    def _changed(self, thread_id: uuid.UUID) -> None:
        self._update_busy()
        if thread_id == self.thread_id:
            self.reload()
            self.summaries_changed.emit()

    def _failed(self, thread_id: uuid.UUID, reason: str) -> None:
        self._update_busy()
        if thread_id != self.thread_id and thread_id not in self._asked:
            return  # a background summary elsewhere: it is tried again after the next answer
        here = thread_id == self.thread_id
        if reason == "Stopped.":  # the core's word for a summary the user stopped
            self._say(tr(STOPPED) if here else tr("Summary stopped (in another chat)."))
        elif here:
            self._say(
                tr("The summary failed: {reason} The conversation is as it was.", reason=reason)
            )
        else:
            self._say(
                tr(
                    "The summary failed (in another chat): {reason} The conversation is as it was.",
                    reason=reason,
                )
            )

    def _say(self, text: str) -> None:
        self._status.showMessage(text, STATUS_MS)

    # -- busy state ------------------------------------------------------------------------------

    def _update_busy(self) -> None:
        busy = self.busy()
        self.indicator.setVisible(busy)
        if not busy:
            self._check.stop()
        elif not self._check.isActive():
            self._check.start()
        if busy != self._was_busy:
            self._was_busy = busy
            self.busy_changed.emit()

    def close(self) -> None:
        """Read and check no more (the window is closing)."""
        self._reader.close()
        self._check.stop()

    def thread_changed(self) -> None:
        """Another thread is shown: its summary and its busy state."""
        self._count = 0
        self.reload()

    # -- actions ---------------------------------------------------------------------------------

    def summarize_now(
        self, thread_id: uuid.UUID | None = None, then: Callable[[], None] | None = None
    ) -> None:
        """Summarise all but the last exchange of the thread (the shown one by default), then
        call `then` when a summary was made."""
        thread_id = thread_id or self.thread_id
        if thread_id is None or self.busy(thread_id):
            return
        self._asked.add(thread_id)
        self._update_busy()

        def done(result: tuple[uuid.UUID, SummaryView | None, bool]) -> None:
            self._summarized(result)
            if then is not None and result[1] is not None:
                then()

        self._runner.run(self._summarize(thread_id), done=done, quiet=True)

    async def _summarize(self, thread_id: uuid.UUID) -> tuple[uuid.UUID, SummaryView | None, bool]:
        """(thread, summary, whether it ended without a failure)."""
        # No `finally`: see LatestRead._guarded (a dropped coroutine must not touch Qt).
        try:
            summary, ended = await self._service.summarize_now(thread_id), True
        except ChatdeskError:  # announced by SummaryFailed, shown by _failed
            summary, ended = None, False
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the window is closing
            summary, ended = None, False  # Cancel stopped it: said by `cancel` and _failed
        self._asked.discard(thread_id)
        self._update_busy()
        return thread_id, summary, ended

    def _summarized(self, result: tuple[uuid.UUID, SummaryView | None, bool]) -> None:
        thread_id, summary, ended = result
        if not ended:
            return
        if summary is None:
            self._say(tr(NOTHING_TO_SUMMARISE))
        elif thread_id == self.thread_id:
            meta = summary_meta(summary)
            self._say(tr("Earlier messages summarised ({meta}).", meta=meta))
        else:
            meta = summary_meta(summary)
            self._say(tr("Earlier messages summarised in the other chat ({meta}).", meta=meta))

    def cancel(self) -> None:
        # Said here too: a run stopped before it asked the model announces nothing.
        thread_id = self.thread_id
        if thread_id is not None and self._service.cancel_summary(thread_id):
            self._say(tr(STOPPED))

    def edit(self, summary: SummaryView) -> None:
        from chatdesk.ui.context.dialogs import SummaryEditor  # with the first edit

        dialog = SummaryEditor(summary.content, summary_meta(summary), self._owner)
        dialog.accepted.connect(lambda: self._save(summary, dialog.text()))
        self._open(dialog)

    def _save(self, summary: SummaryView, text: str) -> None:
        if text.strip() and text.strip() != summary.content:
            self._runner.run(self._service.edit_summary(summary.id, text))

    def ask_delete(self, summary: SummaryView) -> None:
        if self._count > 1:
            # translators: "Summarise now" is the name of the command that makes a summary
            detail = tr(
                "The messages it stands in for will be sent to the model again, as far as they "
                "fit. An earlier summary, if it still applies, takes its place. Automatic "
                "summaries pause in this chat until you choose Summarise now."
            )
        else:
            # translators: "Summarise now" is the name of the command that makes a summary
            detail = tr(
                "The messages it stands in for will be sent to the model again, as far as they "
                "fit. Automatic summaries pause in this chat until you choose Summarise now."
            )
        self.dialog = ask(
            self._owner,
            tr("Delete summary"),
            tr("Delete this summary of the earlier messages?"),
            detail,
            tr("Delete summary"),
            lambda: self._runner.run(self._service.delete_summary(summary.id)),
        )

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
