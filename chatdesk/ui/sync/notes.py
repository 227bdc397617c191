"""The note above a shared thread when an edit made here lost to a teammate's newer one.

Nothing was lost for good (the server keeps every revision), but the user should know their
title, system prompt or summary is not the one in use. Dismiss hides the notes of the thread
for good.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.ui.runner import Runner

if TYPE_CHECKING:
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.views import SyncNoteView

_QUOTED_LIMIT = 60


def note_text(note: SyncNoteView) -> str:
    """One sentence for one lost edit."""
    who = note.kept_by
    if note.field == "title":
        lost, kept = _quoted(note.lost_value), _quoted(note.kept_value)
        if who:
            told = tr(
                "Your title {lost} was replaced by {who}'s newer {kept}.",
                lost=lost,
                who=who,
                kept=kept,
            )
        else:
            told = tr("Your title {lost} was replaced by a newer {kept}.", lost=lost, kept=kept)
    elif note.field == "system_prompt":
        if who:
            told = tr("Your edit of the system prompt was replaced by {who}'s newer one.", who=who)
        else:
            told = tr("Your edit of the system prompt was replaced by a newer one.")
    elif note.field == "content":
        if who:
            told = tr("Your edit of the summary was replaced by {who}'s newer one.", who=who)
        else:
            told = tr("Your edit of the summary was replaced by a newer one.")
    else:  # a field of the team's records by its name ("color_tag": "color tag")
        what = note.field.replace("_", " ")
        if who:
            told = tr(
                "Your edit of the {what} was replaced by {who}'s newer one.", what=what, who=who
            )
        else:
            told = tr("Your edit of the {what} was replaced by a newer one.", what=what)
    return tr("{told} Both are kept in the team's history.", told=told)


def _quoted(value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > _QUOTED_LIMIT:
        text = text[: _QUOTED_LIMIT - 1].rstrip() + "…"
    return f"“{text}”"


class SyncNoteBanner(QFrame):
    dismissed = Signal(object)  # the thread's uuid.UUID, once its notes are dismissed for good
    notes_read = Signal()  # an opened thread's notes were read (and shown, if any)

    def __init__(self, team: TeamSync, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._team = team
        self._runner = runner
        self._thread_id: uuid.UUID | None = None
        self._notes: list[SyncNoteView] = []
        self._reading = 0  # a read started before a dismissal or another thread is stale
        self.setObjectName("syncNote")
        self.setAccessibleName(tr("Edit replaced by a teammate"))
        self.text = QLabel(self)
        self.text.setObjectName("syncNoteText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # titles are user text, never markup
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton(tr("&Dismiss"), self)
        self.dismiss.setObjectName("dismissSyncNote")
        self.dismiss.setAccessibleDescription(tr("Hides this note for good"))
        self.dismiss.clicked.connect(self._dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.setSpacing(10)
        row.addWidget(self.text, 1)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_thread(self, thread_id: uuid.UUID | None) -> None:
        """A thread was opened (None: a new chat): show its notes not dismissed yet."""
        self._thread_id = thread_id
        self._notes = []
        self._reading += 1
        self._show()
        if thread_id is not None:
            reading = self._reading
            read = self._team.notes(thread_id)
            self._runner.run(read, done=lambda notes: self._read(reading, notes), quiet=True)

    def add(self, note: SyncNoteView) -> None:
        """A SyncEditLost arrived; shown when it is about the open thread."""
        if note.thread_id == self._thread_id and note.id not in {n.id for n in self._notes}:
            self._notes.append(note)
            self._show()

    def _read(self, reading: int, notes: list[SyncNoteView]) -> None:
        if reading == self._reading:
            known = {n.id for n in notes}
            self._notes = notes + [n for n in self._notes if n.id not in known]
            self._show()
            self.notes_read.emit()

    def _show(self) -> None:
        if not self._notes:
            self.hide()
            return
        lines = [note_text(note) for note in self._notes[-3:]]
        if len(self._notes) > 3:
            earlier = len(self._notes) - 3
            lines.insert(
                0,
                ntr(
                    "{n} earlier edit was also replaced.",
                    "{n} earlier edits were also replaced.",
                    earlier,
                ),
            )
        self.text.setText("\n".join(lines))
        self.show()

    def _dismiss(self) -> None:
        thread_id = self._thread_id
        if thread_id is None:
            return
        self._notes = []
        self._reading += 1
        self.hide()
        done = lambda _: self.dismissed.emit(thread_id)  # noqa: E731
        self._runner.run(self._team.dismiss_notes(thread_id), done=done, quiet=True)
