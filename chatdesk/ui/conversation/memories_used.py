"""The memories an answer was given, opened from "Used 2 memories" under it: a small popup with
each memory's words as kept now (or "(deleted since)" for one no longer kept) and whose chats
it is for, and Manage memories…, which opens Preferences ▸ Memory. Esc or a click outside
closes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.ui.conversation.frame import plain_label
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:
    from chatdesk.core.memory.model import MemoryView

WIDTH = 380  # pixels: a memory is a sentence or two


class MemoriesUsed(QFrame):
    def __init__(
        self,
        ids: Sequence[int],
        kept: Sequence[MemoryView],
        manage: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        """`ids` the answer was given, of which `kept` are still kept; `manage` opens
        Preferences ▸ Memory."""
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("memoriesUsedPopup")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFixedWidth(WIDTH)
        column = QVBoxLayout(self)
        column.setContentsMargins(SPACE["s"], SPACE["s"], SPACE["s"], SPACE["s"])
        column.setSpacing(SPACE["xs"])
        heading = ntr(
            "This answer was given {n} memory", "This answer was given {n} memories", len(ids)
        )
        self.setAccessibleName(heading)
        title = QLabel(heading)
        title.setObjectName("memoriesUsedTitle")
        column.addWidget(title)
        found = {memory.id: memory for memory in kept}
        self.lines: list[QLabel] = []
        for memory_id in ids:
            memory = found.get(memory_id)
            line = _line(memory, memory_id)
            self.lines.append(line)
            column.addWidget(line)
            if memory is not None:
                # translators: under a memory an answer was given: whose chats it is for
                whom = _label(tr("For: {whom}", whom=memory.for_whom()), "memoryUsedWhom")
                column.addWidget(whom)
        # translators: opens Preferences ▸ Memory, from the list of memories an answer used
        self.manage = QPushButton(tr("Manage memories…"))
        self.manage.setAccessibleName(tr("Manage memories…"))
        self.manage.setToolTip(tr("Open Preferences ▸ Memory"))
        self.manage.clicked.connect(self.close)
        self.manage.clicked.connect(manage)
        column.addWidget(self.manage, 0, Qt.AlignmentFlag.AlignLeading)

    def open_under(self, anchor: QWidget) -> None:
        """Show it under `anchor` (the footer's "Used 2 memories"), the keyboard in it."""
        self.adjustSize()
        self.move(anchor.mapToGlobal(QPoint(0, anchor.height())))
        self.show()
        self.manage.setFocus(Qt.FocusReason.PopupFocusReason)


def _line(memory: MemoryView | None, memory_id: int) -> QLabel:
    if memory is None:
        return _label(tr("Memory {n} (deleted since)", n=memory_id), "memoryGone")
    return _label(memory.text, "memoryUsed")


def _label(text: str, name: str) -> QLabel:
    label = plain_label(text, name)
    label.setAccessibleName(text)
    return label
