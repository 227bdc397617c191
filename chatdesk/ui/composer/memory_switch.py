"""The composer's Memory switch: a round pill with a pin beside Web, on while the shown chat's
answers are given the user's memories (and the model may propose new ones). It shows what it is
told (`show_on`); the window's part (`chatdesk/ui/window/memory_choice.py`) asks the core and
switches the chat when the user clicks (`switched`). When memory is off for more than this chat
(in Preferences, or for the chat's assistant or project) it shows off and disabled, its tooltip
saying where to turn it on. Made when first asked for, after the window's first paint
(`ComposerButtons.memory_switch`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.composer.row_button import show_on, switch_pill
from chatdesk.ui.theme.colours import Look


class MemorySwitch(QObject):
    switched = Signal(bool)  # by the user: on or off for the chat

    def __init__(self, owner: QWidget, look: Look) -> None:
        super().__init__(owner)
        # translators: the composer's switch that gives the user's memories to the model
        self.button = switch_pill(owner, "memorySwitch", tr("Memory"), "pin", look)
        # Its icon alone: the row holds every control whole at the window's smallest width;
        # its name is spoken and in its tooltip.
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.button.setText("")
        self.button.clicked.connect(self.switched)  # the user's click or key, never show_on
        self.button.hide()  # shown for a chat where memories are kept (`show_on`)
        self.show_on(True)

    @property
    def on(self) -> bool:
        return self.button.isChecked()

    def show_on(self, on: bool, fixed: str = "") -> None:
        """On or off for the chat (set here, not by the user); `fixed`: why the user cannot
        switch it here, in their words ("": they can)."""
        self.button.setChecked(on)
        self.button.setEnabled(not fixed)
        show_on(self.button, on)
        if fixed:
            tip = fixed
        elif on:
            tip = tr("Memory: answers in this chat are given your memories (click to switch off)")
        else:
            tip = tr("Memory is off for this chat: answers are given none of your memories")
        self.button.setToolTip(tip)
        self.button.setAccessibleDescription(tip)
