"""The offer of an extra of chatdesk that is not installed, where the user meets what needs it
(Preferences ▸ Voice, speech to text on this computer; Preferences ▸ Appearance and the notice
over the messages, formulas; decisions 0074 and 0075): what it gives and how large it is, an
Install button, pip's lines while it works with Cancel, and what went wrong.

It asks the core's `Extras` through the window's `Runner` (`attach`), never itself: whether
the extra is here (`check`) and the install. In the desktop build it says what to do instead,
with no button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:
    import asyncio

    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.extras import Extras, ExtraState
    from chatdesk.ui.runner import Runner


class ExtraOffer(QWidget):
    installed = Signal()  # the extra is here now

    def __init__(
        self, extra: str, ready: str, parent: QWidget | None = None, *, dismissable: bool = False
    ) -> None:
        """`ready`: what is said once it is installed (marked, shown with tr()); `dismissable`:
        a Not now button hides the offer (where it comes unasked, over the messages)."""
        super().__init__(parent)
        self._extra = extra
        self._ready = ready
        self._runner: Runner | None = None
        self._runtimes: Callable[[], Extras] | None = None
        self._task: asyncio.Task[object] | None = None
        self._stopped = False
        self.setObjectName("runtimeOffer")
        self.offer = Notice("runtimeOfferText", self)
        self.install = QPushButton(tr("Install"), self)
        self.install.setObjectName("runtimeInstall")
        self.install.clicked.connect(self._install)
        self.cancel = QPushButton(tr("Cancel"), self)
        self.cancel.setObjectName("runtimeCancel")
        self.cancel.setAccessibleName(tr("Cancel the install"))
        self.cancel.clicked.connect(self._cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("runtimeProgress")
        self.progress.setAccessibleName(tr("Installing"))
        self.progress.setRange(0, 0)  # pip tells no fraction: show it is working
        self.progress.setTextVisible(False)
        self.dismiss = QPushButton(tr("Not now"), self)
        self.dismiss.setObjectName("runtimeDismiss")
        self.dismiss.setAccessibleName(tr("Hide this offer"))
        self.dismiss.clicked.connect(self.hide)
        self.dismiss.setVisible(dismissable)
        self.line = Notice("runtimeLine", self)  # pip's last line
        _on_leading_side(self.line)
        self.result = Notice("runtimeResult", self)
        self._lay_out()
        self._working(False)
        self.hide()

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.install)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        row.addWidget(self.dismiss)
        row.addStretch(1)
        column = QVBoxLayout(self)
        # Apart from what stands above it (a page's note, a message): the offer is its own matter.
        column.setContentsMargins(0, SPACE["xs"], 0, 0)
        column.addWidget(self.offer)
        column.addLayout(row)
        column.addWidget(self.line)
        column.addWidget(self.result)

    def attach(self, runner: Runner, runtimes: Callable[[], Extras]) -> None:
        """The window's runner and the core's extras: the offer can now look and install."""
        self._runner, self._runtimes = runner, runtimes

    @property
    def installing(self) -> bool:
        return self._task is not None

    def check(self) -> None:
        """Look whether the extra is here, and offer it when it is not."""
        if self._runner is None or self._runtimes is None or self.installing:
            return
        look = self._runtimes().look(self._extra)
        self._runner.run(look, done=self._show, owner=self, quiet=True)

    def withdraw(self) -> None:
        """The choice that needs it was left: hide the offer (an install goes on, shown)."""
        if not self.installing:
            self.hide()

    def _show(self, state: ExtraState) -> None:
        if state.present:
            self.hide()
            return
        self.offer.say(Tone.INFO, state.instead() if state.frozen else state.offer())
        self.install.setVisible(not state.frozen)
        self.result.clear_notice()
        self.show()

    def _install(self) -> None:
        if self._runner is None or self._runtimes is None or self.installing:
            return
        self._stopped = False
        self.result.clear_notice()
        self.line.clear_notice()
        self._working(True)
        self._task = self._runner.run(
            self._runtimes().install(self._extra, self._said),
            done=self._done,
            failure=self._failed,
            settled=self._settled,
            owner=self,
        )

    def _said(self, line: str) -> None:
        self.line.say(Tone.BUSY, line)

    def _cancel(self) -> None:
        if self._task is not None:
            self._stopped = True
            self._task.cancel()

    def _done(self, state: ExtraState) -> None:
        self.offer.clear_notice()
        self.install.hide()
        self.result.say(Tone.SUCCESS, tr(self._ready))
        self.dismiss.setText(tr("Close"))
        self.installed.emit()

    def _failed(self, error: ChatdeskError) -> None:
        self.result.say(Tone.ERROR, str(error))

    def _settled(self) -> None:
        self._task = None
        self._working(False)
        self.line.clear_notice()
        if self._stopped:
            self.result.say(Tone.WARNING, tr("The install was stopped."))

    def _working(self, working: bool) -> None:
        self.install.setEnabled(not working)
        self.progress.setVisible(working)
        self.cancel.setVisible(working)


def _on_leading_side(label: Notice) -> None:
    """pip speaks English in any language, and Qt aligns a label by its text's direction: in a
    right-to-left window pip's line would sit on the far side, away from the bar."""
    side = Qt.AlignmentFlag.AlignRight if label.isRightToLeft() else Qt.AlignmentFlag.AlignLeft
    label.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
