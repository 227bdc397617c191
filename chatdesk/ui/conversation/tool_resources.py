"""The resources a tool's result gave, on its card: a row each (its name, address and type as
plain text) with Open and Attach. What they do is the window's (`action(resource, name)`, name
"resource_open" or "resource_attach"; `chatdesk/ui/attachments/resource_actions.py`): nothing
opens because the server said so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.units import format_size
from chatdesk.ui.attachments.resource_actions import ATTACH, OPEN

if TYPE_CHECKING:
    from chatdesk.core.views import ResultResource


class ResourceRows(QWidget):
    action = Signal(object, str)  # a ResultResource, OPEN or ATTACH

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolResources")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(22, 0, 0, 0)
        self._shown: tuple[ResultResource, ...] = ()
        self.rows: list[QWidget] = []

    def show_resources(self, resources: tuple[ResultResource, ...]) -> None:
        if resources == self._shown:
            return
        self._shown = resources
        for row in self.rows:
            row.deleteLater()
        self.rows = [self._row(resource) for resource in resources]
        for row in self.rows:
            self._layout.addWidget(row)
        self.setVisible(bool(resources))

    def _row(self, resource: ResultResource) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel(_described(resource), row)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the server's words, never markup
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        line.addWidget(label, 1)
        for text, name, kind in (
            # translators: a button on a resource a tool gave: show its text, or its address
            (tr("Open"), tr("Open {name}", name=resource.label), OPEN),
            # translators: a button on a resource a tool gave: attach it to the next message
            (tr("Attach"), tr("Attach {name} to the message", name=resource.label), ATTACH),
        ):
            button = QPushButton(text, row)
            button.setAccessibleName(name)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, kind=kind: self.action.emit(resource, kind))
            line.addWidget(button)
        row.setAccessibleName(_described(resource))
        return row


def _described(resource: ResultResource) -> str:
    """ "report (doc://report) · application/pdf · 12 KB · embedded"."""
    parts = [
        resource.label if resource.label == resource.uri else f"{resource.label} ({resource.uri})"
    ]
    if resource.mime:
        parts.append(resource.mime)
    if resource.size is not None:
        parts.append(format_size(resource.size))
    # translators: a resource a tool's result held whole, not only linked to
    parts.append(tr("embedded") if resource.embedded else tr("link"))
    return " · ".join(parts)
