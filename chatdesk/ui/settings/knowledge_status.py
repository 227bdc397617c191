"""How the knowledge base shown in Preferences ▸ Knowledge is indexed: how far a pass has got
(or the base's counts when none runs), a problem with its embedding model, and the buttons that
start, pause and stop a pass. It says what the user asked for (signals); the page makes the
calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.knowledge.model import Progress, Stage
from chatdesk.ui.settings.knowledge_sources import documents_text, make_button, passages_text
from chatdesk.ui.settings.notices import Notice, Tone

if TYPE_CHECKING:
    from chatdesk.core.knowledge.model import BaseView


class IndexingStatus(QWidget):
    index_asked = Signal()
    pause_asked = Signal()  # or resume, when the pass is paused
    cancel_asked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.state = QLabel(self)
        self.state.setObjectName("knowledgeState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("knowledgeProgress")
        self.bar.setAccessibleName(tr("Indexing progress"))
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        policy = self.bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.bar.setSizePolicy(policy)
        self.problem = Notice("knowledgeProblem", self)
        area = QVBoxLayout(self)
        area.setContentsMargins(0, 0, 0, 0)
        area.setSpacing(4)
        area.addWidget(self.state)
        area.addWidget(self.bar)
        area.addWidget(self.problem)
        area.addLayout(self._buttons())

    def _buttons(self) -> QHBoxLayout:
        self.index_button = make_button(
            self,
            tr("Inde&x now"),
            "indexKnowledge",
            tr("Look for new and changed files now"),
            self.index_asked.emit,
        )
        self.pause_button = make_button(
            # translators: a button that pauses the indexing
            self,
            tr("Paus&e"),
            "pauseKnowledge",
            tr("Pause or resume the indexing"),
            self.pause_asked.emit,
        )
        self.cancel_button = make_button(
            # translators: a button that stops the indexing
            self,
            tr("Ca&ncel"),
            "cancelKnowledge",
            tr("Stop the indexing (what it stored stays)"),
            self.cancel_asked.emit,
        )
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.index_button, self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        return buttons

    def show_pass(self, base: BaseView | None, progress: Progress | None, paused: bool) -> None:
        """`base`'s pass as it goes (`progress`, `paused`), or its counts when none runs."""
        running = progress is not None and (progress.running or progress.stage is Stage.PAUSED)
        if base is None:
            said = ""
        elif running and progress is not None:
            said = progress_text(progress, paused)
            show_bar(self.bar, progress)
        else:
            said = counts_text(base)
        self.bar.setVisible(running)
        width = max(self.state.width(), 240)  # a long path loses its middle, not its name
        self.state.setText(
            self.state.fontMetrics().elidedText(said, Qt.TextElideMode.ElideMiddle, width)
        )
        self.state.setToolTip(said)
        problem = (progress.problem if progress else "") or (
            base.embedding_problem or "" if base else ""
        )
        if problem:
            self.problem.say(Tone.WARNING, problem)
        else:
            self.problem.clear_notice()
        self.index_button.setEnabled(base is not None and bool(base.sources) and not running)
        self.pause_button.setEnabled(running)
        # translators: a button that resumes or pauses the indexing
        self.pause_button.setText(tr("Resum&e") if paused else tr("Paus&e"))
        # translators: a button that resumes or pauses the indexing
        self.pause_button.setAccessibleName(tr("Resume") if paused else tr("Pause"))
        self.cancel_button.setEnabled(running)


def counts_text(base: BaseView) -> str:
    counts = [documents_text(base.documents), passages_text(base.chunks)]
    if base.embedding_model:
        counts.append(ntr("{n} vector", "{n} vectors", base.vectors))
    else:
        # translators: a base without an embedding model: it is searched by keywords only
        counts.append(tr("keywords only"))
    if not base.sources:
        return tr("Add a folder or files to index.")
    return " · ".join(counts)


def progress_text(progress: Progress, paused: bool) -> str:
    done, total = number(progress.done), number(progress.total)
    if paused:
        return ntr(
            "Paused — {done} of {n} file looked at",
            "Paused — {done} of {n} files looked at",
            progress.total,
            done=done,
        )
    if progress.stage is Stage.EMBEDDING:
        return ntr(
            "Vectors {done} of {n}",
            "Vectors {done} of {n}",
            progress.to_embed,
            done=number(progress.embedded),
        )
    if progress.stage is Stage.SCANNING:
        if progress.current:
            return tr("Looking through {place}…", place=progress.current)
        return tr("Looking…")
    if progress.current:
        return tr(
            "Reading {done} of {total} — {file}", done=done, total=total, file=progress.current
        )
    return tr("Reading {done} of {total}", done=done, total=total)


def show_bar(bar: QProgressBar, progress: Progress) -> None:
    if progress.stage is Stage.EMBEDDING:
        value, total = progress.embedded, progress.to_embed
    elif progress.stage is Stage.SCANNING:
        value, total = 0, 0  # how many files there are is not known yet: busy
    else:
        value, total = progress.done, progress.total
    bar.setRange(0, max(total, 0))
    bar.setValue(min(value, total))
