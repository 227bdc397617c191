"""The Save and Cancel row of an editing dialog in the settings (a provider profile, an
assistant): Save is the dialog's primary button and checks before it closes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from chatdesk.core.i18n import tr


def save_buttons(
    dialog: QDialog, name: str, save: Callable[[], object]
) -> tuple[QDialogButtonBox, QPushButton]:
    """The row, and its Save button (`name`, Alt+S), which calls `save`; Cancel closes."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    button = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    button.setText(tr("&Save"))
    button.setObjectName(name)
    button.setProperty("primary", True)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons, button
