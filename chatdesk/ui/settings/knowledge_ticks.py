"""A list of the knowledge bases with a box each, ticked as they are linked to an owner (an
assistant): what the assistant editor shows under "Knowledge". Read through the Runner when
it is shown; hidden while there is no base."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.knowledge.service import Knowledge
    from chatdesk.ui.runner import Runner

_ID_ROLE = Qt.ItemDataRole.UserRole


class KnowledgeTicks(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("knowledgeTicks")
        self.setAccessibleName(tr("Knowledge bases"))
        self.setSpacing(1)
        self.loaded = False  # the bases and links were read: what is ticked can be saved
        self.hide()

    def load(
        self, runner: Runner, knowledge: Knowledge, owner: str, owner_id: uuid.UUID | None
    ) -> None:
        """Read the bases, and those linked to `owner_id` (None: a new one, none linked)."""

        async def read() -> tuple[list[tuple[uuid.UUID, str]], list[uuid.UUID]]:
            bases = await knowledge.names()
            linked = await knowledge.links(owner, owner_id) if owner_id else []
            return bases, linked

        runner.run(read(), done=self._fill, quiet=True, owner=self)

    def ticked(self) -> list[uuid.UUID]:
        items = [self.item(i) for i in range(self.count())]
        return [
            uuid.UUID(hex=str(item.data(_ID_ROLE)))
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def _fill(self, found: tuple[list[tuple[uuid.UUID, str]], list[uuid.UUID]]) -> None:
        bases, linked = found
        self.clear()
        for base_id, name in bases:
            item = QListWidgetItem(name, self)
            item.setData(_ID_ROLE, base_id.hex)  # by hex: Qt compares a UUID by identity
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = base_id in linked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        rows = max(1, min(len(bases), 3))
        row = self.sizeHintForRow(0) + self.spacing() * 2
        self.setFixedHeight(row * rows + 2 * self.frameWidth() + 4)
        self.loaded = True
        self.setVisible(bool(bases))
        buddy = self.property("label")
        if isinstance(buddy, QWidget):
            buddy.setVisible(bool(bases))
