"""The composer's attachments before they are sent: chips with each one's name, size and a
preview, laid out in a strip that wraps, each with a ✕ to take it out again."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QToolButton,
    QWidget,
)

from chatdesk.core.units import format_size

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's largest widget size
PREVIEW_LINES = 20
PREVIEW_LINE_CHARS = 120
CHIP_TEXT_WIDTH = 320  # px; longer names are shortened in the middle, keeping the extension


@dataclass(frozen=True)
class DraftAttachment:
    name: str
    text: str
    kind: str  # "paste" | "file"


def describe_attachment(attachment: DraftAttachment) -> str:
    """Name, size and, for pastes, lines: "Pasted text · 1.2 MB · 20,123 lines"."""
    parts = [attachment.name, format_size(len(attachment.text.encode("utf-8", "surrogatepass")))]
    if attachment.kind == "paste":
        # A final newline ends the last line; it does not start another.
        lines = attachment.text.count("\n") + (not attachment.text.endswith("\n"))
        parts.append(f"{lines:,} line" + ("" if lines == 1 else "s"))
    return " · ".join(parts)


def preview_tooltip(attachment: DraftAttachment) -> str:
    """The first lines, escaped: a tooltip renders rich text, and the text is not ours."""
    head = attachment.text.split("\n", PREVIEW_LINES)
    lines = [line[:PREVIEW_LINE_CHARS] for line in head[:PREVIEW_LINES]]
    more = "\n…" if len(head) > PREVIEW_LINES else ""
    return (
        f"<p><b>{html.escape(describe_attachment(attachment))}</b></p>"
        f"<pre>{html.escape(chr(10).join(lines) + more)}</pre>"
    )


class AttachmentChip(QFrame):
    """A small rounded label with the attachment's name and size and a ✕ to remove it."""

    remove_clicked = Signal()

    def __init__(self, attachment: DraftAttachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self.setObjectName("attachmentChip")
        self.setAccessibleName(f"Attachment {attachment.name}")
        self.setAccessibleDescription(describe_attachment(attachment))
        self.setToolTip(preview_tooltip(attachment))
        label = QLabel(self)
        label.setText(
            label.fontMetrics().elidedText(
                describe_attachment(attachment), Qt.TextElideMode.ElideMiddle, CHIP_TEXT_WIDTH
            )
        )
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("chipRemove")
        self.remove_button.setText("✕")
        self.remove_button.setAccessibleName(f"Attachment {attachment.name}, remove")
        self.remove_button.setToolTip(f"Remove {attachment.name}")
        self.remove_button.clicked.connect(self.remove_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.setSpacing(4)
        layout.addWidget(label)
        layout.addWidget(self.remove_button)


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Place the items in `rect` (if `place`); the height they need either way."""
        x, y, row_height = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():  # hidden
                continue
            size = item.sizeHint().boundedTo(QSize(rect.width(), QWIDGETSIZE_MAX))
            if x > rect.x() and x + size.width() > rect.x() + rect.width():
                x, y, row_height = rect.x(), y + row_height + self._gap, 0
            if place:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self._gap
            row_height = max(row_height, size.height())
        return y + row_height - rect.y()


class AttachmentStrip(QWidget):
    """The chips, wrapping onto more rows when they do not fit; hidden when empty."""

    removed = Signal(object)  # DraftAttachment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentStrip")
        self.setAccessibleName("Attachments")
        self._layout = FlowLayout(self)
        self.chips: list[AttachmentChip] = []
        self.hide()

    def add(self, attachment: DraftAttachment) -> AttachmentChip:
        chip = AttachmentChip(attachment, self)
        chip.remove_clicked.connect(lambda: self._remove(chip))
        self._layout.addWidget(chip)
        chip.show()  # a layout shows new widgets of a visible parent only later
        self.chips.append(chip)
        self.show()
        return chip

    def clear(self) -> None:
        for chip in self.chips:
            chip.hide()
            chip.deleteLater()
        self.chips = []
        self.hide()

    def _remove(self, chip: AttachmentChip) -> None:
        self.chips.remove(chip)
        chip.hide()
        chip.deleteLater()
        self.setVisible(bool(self.chips))
        self.removed.emit(chip.attachment)
