"""The composer's Memory switch: on while the shown chat's answers are given the user's memories
(and the model may propose new ones). An entry of the "+" menu; switched off for this chat, a
chip "Memory off" says so in the row, its ✕ switching memory back on (`choices.py`).

It holds what it is told (`show_on`); the window's part (`chatdesk/ui/window/memory_choice.py`)
asks the core and switches the chat when the user does (`switched`). When memory is off for
more than this chat (in Preferences, or for the chat's assistant or project) it is off and
cannot be switched here, its tooltip saying where to turn it on, and no chip shows: it is
not this chat's choice. Made when first asked for, after the window's first paint
(`ComposerChoices.memory_switch`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from chatdesk.core.i18n import tr


class MemorySwitch(QObject):
    switched = Signal(bool)  # by the user: on or off for the chat
    changed = Signal()  # what it holds changed: the chips and the "+" menu follow

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.offered = False  # a chat where memories are kept is shown (`offer`)
        self.on = True
        self.fixed = ""  # why the user cannot switch it here ("": they can)

    def offer(self, offered: bool) -> None:
        if offered != self.offered:
            self.offered = offered
            self.changed.emit()

    def show_on(self, on: bool, fixed: str = "") -> None:
        """On or off for the chat (set here, not by the user); `fixed`: why the user cannot
        switch it here, in their words ("": they can)."""
        self.on, self.fixed = on, fixed
        self.changed.emit()

    def switch(self, on: bool) -> None:
        """The user switched memory `on` or off for the chat: shown at once, and said."""
        if not self.fixed and on != self.on:
            self.show_on(on)
            self.switched.emit(on)

    @property
    def tip(self) -> str:
        """What it does now, or why it cannot be switched."""
        if self.fixed:
            return self.fixed
        if self.on:
            return tr("Memory: answers in this chat are given your memories (click to switch off)")
        return tr("Memory is off for this chat: answers are given none of your memories")
