"""A question the window asks before doing something that cannot be undone, without blocking
the loop: the sidebar's deletes, stopping a share, closing with words unsaved, and the like."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask(
    parent: QWidget,
    title: str,
    text: str,
    detail: str,
    yes: str,
    on_yes: Callable[[], object],
) -> QMessageBox:
    """Ask a yes-or-cancel question without blocking; `on_yes` runs if the user agrees."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setInformativeText(detail)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)  # Enter on a surprise question must not destroy anything
    box.setEscapeButton(cancel)
    box.buttonClicked.connect(lambda clicked: on_yes() if clicked is yes_button else None)
    box.open()
    return box
