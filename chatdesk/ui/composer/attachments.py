"""The composer's attachments before they are sent: chips with each one's thumbnail (images),
name, size, what it costs in tokens and a preview, laid out in a strip that wraps, each with a
✕ to take it out again; a file still being read shows as "reading…"."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from chatdesk.core.attach.model import is_scan
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import AttachmentKind
from chatdesk.core.units import format_size
from chatdesk.ui.attachments.origin import origin_html
from chatdesk.ui.composer.pending import Pending
from chatdesk.ui.flow_layout import FlowLayout

if TYPE_CHECKING:  # the core's modules load after the first paint
    from chatdesk.core.views import AttachmentInput
    from chatdesk.ui.attachments.thumbnails import Thumbnails

PREVIEW_LINES = 20
PREVIEW_LINE_CHARS = 120
CHIP_TEXT_WIDTH = 320  # px; longer names are shortened in the middle, keeping the extension
THUMB_SIZE = 36  # px, an image chip's picture


def token_cost(attachment: AttachmentInput) -> int:
    """What the attachment adds to a request, estimated: images by the image rule, the rest by
    the text the model reads (the gauge counts it exactly once it is in the draft)."""
    from chatdesk.core.tokens.estimate import estimate_tokens
    from chatdesk.core.tokens.images import image_tokens

    if attachment.kind == AttachmentKind.IMAGE:
        return image_tokens(attachment.width, attachment.height)
    return estimate_tokens(attachment.text)


def describe_attachment(attachment: AttachmentInput) -> str:
    """ "Pasted text · 1.2 MB · 20,123 lines · ≈300,000 tokens", "report.pdf · PDF, 12 pages
    · 2.1 MB · ≈9,000 tokens", "photo.jpg · 1536×2048 · 412 KB · ≈1,105 tokens"."""
    from chatdesk.core.chat.attachments import describe

    parts = [attachment.name]
    if attachment.kind == AttachmentKind.IMAGE:
        parts.append(f"{attachment.width}×{attachment.height}")
    elif attachment.kind == AttachmentKind.DOCUMENT:
        parts.append(describe(attachment))
    parts.append(
        format_size(attachment.size or len(attachment.text.encode("utf-8", "surrogatepass")))
    )
    if attachment.kind == AttachmentKind.PASTE:
        # A final newline ends the last line; it does not start another.
        lines = attachment.text.count("\n") + (not attachment.text.endswith("\n"))
        parts.append(ntr("{count} line", "{count} lines", lines, count=number(lines)))
    cost = token_cost(attachment)
    # translators: what an attachment adds to a request, estimated: "≈1,105 tokens"
    parts.append(ntr("≈{count} tokens", "≈{count} tokens", cost, count=number(cost)))
    # An image's note says how it was scaled: its tooltip's, not its line's.
    if attachment.note and attachment.kind != AttachmentKind.IMAGE:
        parts.append(attachment.note)
    return " · ".join(parts)


def preview_tooltip(attachment: AttachmentInput) -> str:
    """The first lines, escaped: a tooltip renders rich text, and the text is not ours."""
    head = attachment.text.split("\n", PREVIEW_LINES)
    lines = [line[:PREVIEW_LINE_CHARS] for line in head[:PREVIEW_LINES]]
    more = "\n…" if len(head) > PREVIEW_LINES else ""
    preview = f"<pre>{html.escape(chr(10).join(lines) + more)}</pre>" if attachment.text else ""
    note = (
        f"<p>{html.escape(attachment.note)}</p>" if attachment.kind == AttachmentKind.IMAGE else ""
    )
    origin = origin_html(attachment)  # a tool server's resource: which one, and its URI
    return f"<p><b>{html.escape(describe_attachment(attachment))}</b></p>{origin}{note}{preview}"


class AttachmentChip(QFrame):
    """A small rounded label with the attachment's thumbnail (images), name, size and cost, and
    a ✕ to remove it; while a file is being read, its name and "reading…". A scanned PDF also
    offers to add its pages as images (`pages_clicked`), for a model that takes images."""

    remove_clicked = Signal()
    pages_clicked = Signal()

    def __init__(
        self,
        attachment: AttachmentInput | Pending,
        parent: QWidget | None = None,
        thumbnails: Thumbnails | None = None,
    ) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self._thumbnails = thumbnails
        self.setObjectName("attachmentChip")
        name = attachment.name
        shown = self._describe(attachment)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4 if self._image_hash() else 8, 2, 2, 2)
        layout.setSpacing(6)
        if self._image_hash():
            self._add_picture(layout)
        label = QLabel(self)
        label.setText(
            label.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideMiddle, CHIP_TEXT_WIDTH)
        )
        self.remove_button = self._remove_button(name)
        layout.addWidget(label)
        if not isinstance(attachment, Pending) and is_scan(attachment.note):
            self._add_pages_button(layout, name)
        layout.addWidget(self.remove_button)

    def _describe(self, attachment: AttachmentInput | Pending) -> str:
        """The chip's line, its spoken name and description, and its tooltip (the preview)."""
        if isinstance(attachment, Pending):
            # translators: a file's chip while the file is read, before it is attached
            shown = tr("{name} · reading…", name=attachment.name)
            self.setAccessibleDescription(tr("Being read"))
        else:
            shown = describe_attachment(attachment)
            self.setAccessibleDescription(shown)
            self.setToolTip(preview_tooltip(attachment))
        self.setAccessibleName(tr("Attachment {name}", name=attachment.name))
        return shown

    def _add_picture(self, layout: QHBoxLayout) -> None:
        """An image's thumbnail, shown once `thumbnails` has made it."""
        self._picture = QLabel(self)
        self._picture.setFixedSize(THUMB_SIZE, THUMB_SIZE)
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._picture)
        assert self._thumbnails is not None
        self._thumbnails.ready.connect(self._thumbnail_ready)
        self._show_thumbnail()

    def _remove_button(self, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("chipRemove")
        button.setText("✕")
        button.setAccessibleName(tr("Attachment {name}, remove", name=name))
        button.setToolTip(tr("Remove {name}", name=name))
        button.clicked.connect(self.remove_clicked)
        return button

    def _add_pages_button(self, layout: QHBoxLayout, name: str) -> None:
        """A scanned PDF's offer to add its pages as images."""
        self.pages_button = QToolButton(self)
        self.pages_button.setObjectName("chipAction")
        self.pages_button.setText(tr("Pages as images"))
        self.pages_button.setAccessibleName(
            tr("Attachment {name}, add its pages as images", name=name)
        )
        self.pages_button.setToolTip(
            tr(
                "It is a scan, with no text to read: add its pages as images, for a model "
                "that takes images"
            )
        )
        self.pages_button.clicked.connect(self._pages_asked)
        layout.addWidget(self.pages_button)

    def _pages_asked(self) -> None:
        self.pages_button.setEnabled(False)  # asked once: its pages follow as chips
        self.pages_button.setText(tr("Pages added"))
        self.pages_clicked.emit()

    def _image_hash(self) -> str:
        item = self.attachment
        if (
            self._thumbnails is None
            or isinstance(item, Pending)
            or item.kind != AttachmentKind.IMAGE
        ):
            return ""
        return item.thumb or item.sha256

    def _show_thumbnail(self) -> None:
        assert self._thumbnails is not None
        pixmap = self._thumbnails.get(self._image_hash())
        if pixmap is not None:
            self._picture.setPixmap(
                pixmap.scaled(
                    THUMB_SIZE,
                    THUMB_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def _thumbnail_ready(self, sha256: str) -> None:
        if sha256 == self._image_hash():
            self._show_thumbnail()


class AttachmentStrip(QWidget):
    """The chips, wrapping onto more rows when they do not fit; hidden when empty."""

    removed = Signal(object)  # the AttachmentInput or Pending of the chip taken out
    pages_requested = Signal(object)  # the AttachmentInput of a scan whose pages are wanted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentStrip")
        self.setAccessibleName(tr("Attachments"))
        self._layout = FlowLayout(self)
        self.chips: list[AttachmentChip] = []
        self.thumbnails: Thumbnails | None = None  # set once the core is open
        self.hide()

    def add(self, attachment: AttachmentInput | Pending) -> AttachmentChip:
        chip = self._chip(attachment)
        self._layout.addWidget(chip)
        chip.show()  # a layout shows new widgets of a visible parent only later
        self.chips.append(chip)
        self.show()
        return chip

    def replace(self, old: Pending, new: AttachmentInput) -> bool:
        """The chip of a file being read shows the attachment it became; False when that chip
        was removed meanwhile."""
        for index, chip in enumerate(self.chips):
            if chip.attachment is old:
                self._layout.removeWidget(chip)
                chip.hide()
                chip.deleteLater()
                made = self._chip(new)
                self._layout.insert(index, made)
                made.show()
                self.chips[index] = made
                return True
        return False

    def _chip(self, attachment: AttachmentInput | Pending) -> AttachmentChip:
        chip = AttachmentChip(attachment, self, self.thumbnails)
        chip.remove_clicked.connect(lambda: self._remove(chip))
        chip.pages_clicked.connect(lambda: self.pages_requested.emit(chip.attachment))
        return chip

    def drop(self, item: Pending) -> None:
        """Take out the chip of a file that could not be read (no `removed`: it never was in)."""
        for chip in self.chips:
            if chip.attachment is item:
                self.chips.remove(chip)
                chip.hide()
                chip.deleteLater()
        self.setVisible(bool(self.chips))

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
