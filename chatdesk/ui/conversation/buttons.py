"""The quiet buttons under messages and on the summary divider, and the fold buttons of cards."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QToolButton

from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import set_icon
from chatdesk.ui.theme.scale import ICON


def flat_button(text: str, description: str, kind: type[QToolButton] = QToolButton) -> QToolButton:
    """A borderless button whose `description` is its tooltip and accessible name (a `kind`
    of QToolButton, which may be a subclass that handles some of its events)."""
    button = kind()
    button.setText(text)
    button.setAutoRaise(True)
    button.setObjectName("messageAction")
    button.setAccessibleName(description)
    button.setToolTip(description)
    return button


def icon_button(
    icon: str, text: str, description: str, kind: type[QToolButton] = QToolButton
) -> QToolButton:
    """A borderless button showing the icon `icon` (resources/ui-icons); `text` is its
    accessible name and `description` its tooltip and accessible description."""
    button = flat_button(text, description, kind)
    button.setAccessibleName(text)
    button.setAccessibleDescription(description)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setIconSize(QSize(ICON["s"], ICON["s"]))
    set_icon(button, icon, current_look())
    return button


def copy_button(text: str, description: str) -> QToolButton:
    """A quiet button with the copy icon beside its words."""
    button = flat_button(text, description)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    set_icon(button, "copy", current_look())
    return button


def fold_button(show: str, hide: str) -> QToolButton:
    """A checkable icon button that folds something out: its arrow turns when it is checked,
    and its name and tooltip say what a click does (`show` while folded, `hide` while not)."""
    button = icon_button("expand", show, show)
    button.setCheckable(True)

    def toggled(shown: bool) -> None:
        set_icon(button, "collapse" if shown else "expand", current_look())
        words = hide if shown else show
        button.setAccessibleName(words)
        button.setToolTip(words)

    button.toggled.connect(toggled)
    return button
