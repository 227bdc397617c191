"""The Attach button's menu: files from the computer, or a resource read from a tool server
(`chatdesk/ui/attachments/resource_browser.py`, opened by whoever listens to
`resources_asked`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from chatdesk.core.i18n import tr


class AttachMenu(QMenu):
    resources_asked = Signal()  # "Resource from a server…" was chosen

    def __init__(self, button: QToolButton, files: Callable[[], object]) -> None:
        super().__init__(button)
        self.setObjectName("attachMenu")
        self.files = self.addAction(tr("&Files…"))
        self.files.triggered.connect(lambda: files())
        self.resource = self.addAction(tr("&Resource from a server…"))
        self.resource.triggered.connect(self.resources_asked)
        button.setMenu(self)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)


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
