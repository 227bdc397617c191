"""The quick window's assistant pill: the chosen assistant's badge and name, or the assistant
icon and "Assistant" while none is; it opens the menu of assistants (`assistant_menu.py`, made
when first offered). Choosing one says `chosen` (its key, "" for none) and shows it at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.composer.row_button import BUTTON_SIZE, LabelledButton, withhold_icon
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import Look
from chatdesk.ui.theme.icons import ICON_PROPERTY, set_icon

if TYPE_CHECKING:
    from chatdesk.ui.composer.assistant_menu import Assistant, AssistantMenu


class AssistantPill(LabelledButton):
    chosen = Signal(str)

    def __init__(self, owner: QWidget, look: Look) -> None:
        super().__init__(owner)
        self.setObjectName("assistantPicker")
        # translators: the name of the button that picks which assistant answers
        self.setAccessibleName(tr("Assistant"))
        self.setToolTip(tr("Who answers in this chat: an assistant's prompt and model"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setFixedHeight(BUTTON_SIZE)  # a pill: its radius is half its height
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu: AssistantMenu | None = None  # made when first offered
        self.key = ""  # the assistant chosen ("": none)
        withhold_icon(self, "assistant", look)
        self._show()

    def offer(self, assistants: list[Assistant], current: str) -> None:
        """`(key, name, badge)` in the menu after "No assistant", `current` ticked."""
        if self._menu is None:
            from chatdesk.ui.composer.assistant_menu import AssistantMenu

            self._menu = AssistantMenu(self)
            self._menu.chosen.connect(self._choose)
            self.setMenu(self._menu)
        self._menu.offer(assistants, current)
        self.key = self._menu.key
        self._show()

    def entries(self) -> list[tuple[str, str]]:
        """What the menu offers, `(key, name)`, "No assistant" first."""
        return self._menu.entries() if self._menu is not None else []

    def _choose(self, key: str) -> None:
        self.key = key
        self._show()
        self.chosen.emit(key)

    def _show(self) -> None:
        menu = self._menu
        named = menu.name(self.key) if menu is not None else ""
        badge = menu.badge(self.key) if menu is not None else None
        if self.key and badge is not None and not badge.isNull():
            self.setProperty(ICON_PROPERTY, None)  # its own colours, whatever the look
            self.setIcon(badge)
        else:
            set_icon(self, "assistant", current_look())
        # translators: the assistant pill while no assistant is chosen
        self.setText(named.replace("&", "&&") if self.key else tr("Assistant"))
        self.setAccessibleDescription(named if self.key else tr("No assistant"))
