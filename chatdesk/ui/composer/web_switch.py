"""The composer's Web switch: a pill with a globe beside Tools, on while the chat lets the model
search the web and read pages (its tool servers name `web`), and the line under the text field
that says when the web cannot be searched now; beside it, while Web is on, the Research switch:
on, the messages sent are answered by research runs (`researching`, read by the window's Send).

It shows what it is told (`show_on`, `say`): the window's parts change the chat's servers when
the user switches it (`switched`, `chatdesk/ui/window/tool_choice.py`) and ask whether the
engine can be reached (`web_choice.py`). It is made when first asked for, after the window's
first paint (`ComposerButtons.web_switch`), so the first frame loads neither this module nor
the core's tool model.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.composer.row_button import show_on, switch_pill
from chatdesk.ui.theme.colours import Look


class WebSwitch(QObject):
    switched = Signal(bool)  # by the user: on or off for the chat

    def __init__(self, owner: QWidget, look: Look) -> None:
        super().__init__(owner)
        # translators: the composer's switch that lets the model search the web
        self.button = switch_pill(owner, "webSwitch", tr("Web"), "web", look)
        self.button.setToolTip(tr("Web: let the model search the web and read pages"))
        self.button.clicked.connect(self.switched)  # the user's click or key, never show_on
        self.notice = QLabel(owner)
        self.notice.setObjectName("webNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()  # shown while the web cannot be searched (say)
        self.button.hide()  # shown with the chat's tool servers (`ComposerButtons.show_tools`)
        # translators: the composer's switch that answers with a research run's report
        research = tr("Research")  # the next messages answered by research runs
        self.research = switch_pill(owner, "researchSwitch", research, "search", look)
        self.research.setToolTip(
            tr(
                "Research: answer with a report from several searches and the pages they find, "
                "citing them (Stop writes it from what was read)"
            )
        )
        self.research.toggled.connect(self._show_research)
        self._show_research(False)
        self.research.hide()  # shown while the Web switch is on (`show_on`)
        self.show_on(False)

    @property
    def on(self) -> bool:
        return self.button.isChecked()

    @property
    def researching(self) -> bool:
        """The next message is answered by a research run (`ChatService.research`)."""
        return self.research.isChecked()

    def _show_research(self, on: bool) -> None:
        show_on(self.research, on)
        self.research.setAccessibleDescription(
            tr("On: the next message is answered with a research report") if on else tr("Off")
        )

    def show_on(self, on: bool) -> None:
        """On or off as the chat has it (set here, not by the user: nothing is said)."""
        self.button.setChecked(on)
        show_on(self.button, on)
        self.button.setAccessibleDescription(
            tr("On: the model may search the web and read pages")
            if on
            # translators: the Web switch is off
            else tr("Off")
        )
        if not on:
            self.say("")
            self.research.setChecked(False)  # research goes with the web
        self.research.setVisible(on and not self.button.isHidden())

    def say(self, problem: str) -> None:
        """Why the web cannot be searched now ("": it can, and the line goes)."""
        self.notice.setText(problem)
        self.notice.setAccessibleName(problem)
        self.notice.setVisible(bool(problem))
