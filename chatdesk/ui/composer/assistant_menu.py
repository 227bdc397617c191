"""Who answers: a menu of "No assistant" and the assistants, each with its badge, the chosen one
ticked (and bold: a badge takes the tick's place). The composer's "+" menu holds it under
Assistant, the quick window's pill opens it (`assistant_pill.py`). Choosing one says `chosen`
(its key, "" for none) and ticks it at once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import QMenu, QWidget

from chatdesk.core.i18n import tr

Assistant = tuple[str, str, QIcon]  # key (an id's hex), name, badge


class AssistantMenu(QMenu):
    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assistantMenu")
        self._group = QActionGroup(self)  # one ticked at a time
        self._offered: list[Assistant] = []
        self.key = ""  # the assistant chosen ("": none)

    def offer(self, assistants: list[Assistant], current: str) -> None:
        """`(key, name, badge)` after "No assistant", `current` ticked; the entries are made
        anew only when they changed."""
        if [(key, name) for key, name, _ in assistants] != [
            (key, name) for key, name, _ in self._offered
        ]:
            self.clear()
            for action in self._group.actions():
                self._group.removeAction(action)
            self._add("", tr("No assistant"), QIcon())
            self.addSeparator()
            for key, name, badge in assistants:
                self._add(key, name, badge)
        self._offered = list(assistants)
        self.show_key(current if any(key == current for key, _, _ in assistants) else "")

    def entries(self) -> list[tuple[str, str]]:
        """What the menu offers, `(key, name)`, "No assistant" first."""
        return [("", tr("No assistant")), *((key, name) for key, name, _ in self._offered)]

    def name(self, key: str) -> str:
        return next((name for k, name, _ in self._offered if k == key), "")

    def badge(self, key: str) -> QIcon | None:
        return next((badge for k, _, badge in self._offered if k == key), None)

    def _add(self, key: str, name: str, badge: QIcon) -> None:
        action = QAction(badge, name.replace("&", "&&"), self)
        action.setData(key)
        action.setCheckable(True)
        self._group.addAction(action)
        self.addAction(action)
        action.triggered.connect(lambda _on=False, k=key: self._choose(k))

    def _choose(self, key: str) -> None:
        self.show_key(key)
        self.chosen.emit(key)

    def show_key(self, key: str) -> None:
        """Tick `key` ("": No assistant), as chosen elsewhere."""
        self.key = key
        for action in self._group.actions():
            action.setChecked(action.data() == key)
            font = action.font()
            font.setBold(action.isChecked())
            action.setFont(font)
