"""The model servers found on this computer, each with its models and a button that uses it;
while they are looked for, and when none answers, a line that says so and a way to look again."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.providers.discovery import LocalServer
from chatdesk.ui.badges import badge_icon
from chatdesk.ui.theme.colours import PROVIDER_MARKS


class LocalServers(QWidget):
    chosen = Signal(object, str)  # a LocalServer, the model picked
    look_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(self)
        self.status.setObjectName("connectNote")
        self.status.setWordWrap(True)
        self.again = QPushButton(tr("Look &again"), self)
        self.again.setObjectName("lookAgain")
        self.again.clicked.connect(self.look_again)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.again)
        self._layout.addLayout(top)
        self.rows: list[ServerRow] = []

    def looking(self) -> None:
        self._clear()
        self.again.setEnabled(False)
        self.status.setText(tr("Looking for Ollama and LM Studio on this computer…"))

    def show_found(self, servers: list[LocalServer]) -> None:
        self._clear()
        self.again.setEnabled(True)
        if not servers:
            self.status.setText(
                tr(
                    "No model server found on this computer. Start Ollama or LM Studio "
                    "(with its server on) and look again."
                )
            )
            return
        self.status.setText(tr("Found on this computer:"))
        for server in servers:
            row = ServerRow(server, self)
            row.use.clicked.connect(lambda _=False, r=row: self.chosen.emit(r.server, r.model()))
            self._layout.addWidget(row)
            self.rows.append(row)

    def _clear(self) -> None:
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = []


class ServerRow(QWidget):
    """One server: its mark and name, its address, its models and "Use"."""

    def __init__(self, server: LocalServer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.server = server
        entry = server.entry
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        mark = QLabel(self)
        colour = PROVIDER_MARKS.get(entry.id)
        mark.setPixmap(badge_icon(entry.name, None, colour, 24).pixmap(24, 24))
        name = QLabel(f"{entry.name}  ·  {entry.base_url}", self)
        self.models = QComboBox(self)
        self.models.setObjectName("localModels")
        self.models.setAccessibleName(tr("Model of {server}", server=entry.name))
        self.models.addItems(list(server.models))
        self.use = QPushButton(tr("Use"), self)
        self.use.setObjectName("useLocal")
        self.use.setAccessibleName(tr("Use {server}", server=entry.name))
        if not server.models:
            self.models.setPlaceholderText(tr("no models yet"))
            self.use.setEnabled(False)
            self.use.setToolTip(tr("Download a model in {server} first.", server=entry.name))
        for widget in (mark, name):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.models)
        row.addWidget(self.use)

    def model(self) -> str:
        return self.models.currentText()
