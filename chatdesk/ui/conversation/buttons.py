"""The quiet text buttons under messages and on the summary divider."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton


def flat_button(text: str, description: str) -> QToolButton:
    """A borderless button whose `description` is its tooltip and accessible name."""
    button = QToolButton()
    button.setText(text)
    button.setAutoRaise(True)
    button.setObjectName("messageAction")
    button.setAccessibleName(description)
    button.setToolTip(description)
    return button
