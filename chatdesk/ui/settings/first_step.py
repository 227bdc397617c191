"""What a settings page shows while it has nothing to list: a heading, a few sentences on what
the page is for, and the one button that starts it (Knowledge with no base, Tools with no
server of the user's)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class FirstStep(QWidget):
    """`name` names the panel (`name`Action its button); `lines` are its paragraphs."""

    def __init__(
        self,
        name: str,
        heading: str,
        lines: tuple[str, ...],
        action: tuple[str, str, Callable[[], None]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        title = QLabel(heading, self)
        title.setObjectName(f"{name}Heading")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        title.setFont(font)
        title.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(title)
        self.paragraphs: list[QLabel] = []
        for line in lines:
            label = QLabel(line, self)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.paragraphs.append(label)
            column.addWidget(label)
        text, description, slot = action
        self.button = QPushButton(text, self)
        self.button.setObjectName(f"{name}Action")
        self.button.setDefault(False)
        self.button.setToolTip(description)
        self.button.setAccessibleDescription(description)
        self.button.clicked.connect(lambda: slot())
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        column.addSpacing(4)
        column.addLayout(row)
        column.addStretch(1)  # alone on its page, it stays at the top

    def text(self) -> str:
        """The heading and the paragraphs, as read."""
        return "\n".join(label.text() for label in self.findChildren(QLabel))
