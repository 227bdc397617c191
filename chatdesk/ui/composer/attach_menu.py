"""The Attach button's menu: files from the computer, or a resource read from a tool server
(`chatdesk/ui/attachments/resource_browser.py`, opened by whoever listens to
`resources_asked`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton

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
