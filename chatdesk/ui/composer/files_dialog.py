"""The file dialog of the "+" menu's Attach files…: the files picked are handed on to be read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from chatdesk.core.i18n import tr


def choose_files(
    parent: QWidget, chosen: Callable[[list[Path]], object], then: Callable[[], object]
) -> None:
    """Files…: the system's file dialog, the files picked given to `chosen`; `then` runs once it
    closes, picked or not (the composer takes the keys back)."""
    from PySide6.QtWidgets import QFileDialog  # not before the first paint

    # open(), not exec(): no nested event loop under qasync.
    dialog = QFileDialog(parent, tr("Attach files"))
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.filesSelected.connect(lambda names: chosen([Path(n) for n in names]))
    dialog.finished.connect(lambda _: then())
    dialog.open()
