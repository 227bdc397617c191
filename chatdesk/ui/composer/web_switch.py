"""The composer's Web switch: on while the chat lets the model search the web and read pages (its
tool servers name `web`), and the line under the text field that says when the web cannot be
searched now; with it, the Research switch: on, the messages sent are answered by research
runs (`researching`, read by the window's Send). Both are entries of the "+" menu and, while
on, chips of the composer's row (`choices.py`).

It holds what it is told (`show_on`, `say`) and what the user switches (`switch`, `research`):
the window's parts change the chat's servers when the user switches Web (`switched`,
`chatdesk/ui/window/tool_choice.py`) and ask whether the engine can be reached
(`web_choice.py`). It is made when first asked for, after the window's first paint
(`ComposerChoices.web_switch`), so the first frame loads neither this module nor the core's
tool model.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from chatdesk.core.i18n import mark, tr

# translators: the composer's switch that lets the model search the web
WEB = mark("Web")
# translators: the composer's switch that answers with a research run's report
RESEARCH = mark("Research")


def web_tip() -> str:
    return tr("Web: let the model search the web and read pages")


def research_tip() -> str:
    return tr(
        "Research: answer with a report from several searches and the pages they find, "
        "citing them (Stop writes it from what was read)"
    )


class WebSwitch(QObject):
    switched = Signal(bool)  # by the user: Web on or off for the chat
    changed = Signal()  # what it holds changed: the chips and the "+" menu follow

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.notice = QLabel(owner)
        self.notice.setObjectName("webNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()  # shown while the web cannot be searched (say)
        self.offered = False  # shown with the chat's tool servers (`offer`)
        self._on = False
        self._researching = False

    @property
    def on(self) -> bool:
        return self._on

    @property
    def researching(self) -> bool:
        """The next message is answered by a research run (`ChatService.research`)."""
        return self._researching

    def offer(self) -> None:
        """Web can be switched from now on (the chat's tool servers are known)."""
        if not self.offered:
            self.offered = True
            self.changed.emit()

    def show_on(self, on: bool) -> None:
        """On or off as the chat has it (set here, not by the user: nothing is said)."""
        self._on = on
        if not on:
            self.say("")
            self._researching = False  # research goes with the web
        self.changed.emit()

    def switch(self, on: bool) -> None:
        """The user switched Web `on` or off: shown at once, and said (`switched`) for the
        chat's servers to follow, which come back by `show_on`."""
        if on != self._on:
            self.show_on(on)
            self.switched.emit(on)

    def research(self, on: bool) -> None:
        """The user switched Research `on` or off; on takes the web with it."""
        if on and not self._on:
            self.switch(True)
        self._researching = on and self._on
        self.changed.emit()

    def say(self, problem: str) -> None:
        """Why the web cannot be searched now ("": it can, and the line goes)."""
        self.notice.setText(problem)
        self.notice.setAccessibleName(problem)
        self.notice.setVisible(bool(problem))
