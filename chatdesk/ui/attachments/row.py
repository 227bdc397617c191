"""A message's attachments as the conversation shows them: images as thumbnails, the rest as
chips with their name, what they are and their size. A click (or Enter) on an image opens the
viewer; on any of them, the menu offers what can be done with it. Nothing is ever opened with
the system's default application.

Thumbnails come from `Thumbnails` (decoded off the GUI thread); until one is ready its place
is held at its final size, so the message does not jump when it arrives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QStyle, QToolButton, QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.units import format_size
from chatdesk.ui.attachments.origin import show_origin
from chatdesk.ui.flow_layout import FlowLayout

if TYPE_CHECKING:
    from chatdesk.core.views import AttachmentView
    from chatdesk.ui.attachments.thumbnails import Thumbnails

THUMB_HEIGHT = 120  # px: an image in a message, at most this tall …
THUMB_WIDTH = 200  # … and this wide


def thumb_size(width: int, height: int) -> QSize:
    """The size an image of `width`×`height` is shown at in a message."""
    if width <= 0 or height <= 0:
        return QSize(THUMB_HEIGHT, THUMB_HEIGHT)
    scale = min(THUMB_HEIGHT / height, THUMB_WIDTH / width, 1.0)
    return QSize(max(24, round(width * scale)), max(24, round(height * scale)))


def chip_text(item: AttachmentView) -> str:
    from chatdesk.core.chat.attachments import describe

    return f"{item.name} · {describe(item)} · {format_size(item.size)}"


class AttachmentRow(QWidget):
    """`action(view, name)`: name is "view" (images), "save", "copy" (images) or "text"."""

    action = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachments")
        self.setAccessibleName(tr("Attachments"))
        self._layout = FlowLayout(self)
        self._items: tuple[AttachmentView, ...] = ()
        self.buttons: list[QToolButton] = []
        self._thumbnails: Thumbnails | None = None
        self.hide()

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._thumbnails

    @thumbnails.setter
    def thumbnails(self, thumbnails: Thumbnails) -> None:
        self._thumbnails = thumbnails
        thumbnails.ready.connect(self._thumbnail_ready)
        for button, item in zip(self.buttons, self._items, strict=True):
            self._show_thumbnail(button, item)

    def show_attachments(self, items: tuple[AttachmentView, ...]) -> None:
        if items == self._items:
            return
        self._items = items
        for button in self.buttons:
            button.deleteLater()
        self.buttons = [self._button(item) for item in items]
        for button in self.buttons:
            self._layout.addWidget(button)
        self.setVisible(bool(items))

    def _button(self, item: AttachmentView) -> QToolButton:
        button = QToolButton(self)
        button.setAutoRaise(True)
        button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        button.customContextMenuRequested.connect(
            lambda at: self._menu(item, button.mapToGlobal(at))
        )
        if item.is_image:
            button.setObjectName("attachmentImage")
            size = thumb_size(item.width, item.height)
            button.setIconSize(size)
            button.setFixedSize(size + QSize(6, 6))
            button.setAccessibleName(tr("Image {name}", name=item.name))
            shape = f"{item.width}×{item.height}"
            button.setAccessibleDescription(tr("{size}; opens the image viewer", size=shape))
            button.setToolTip(
                f"{item.name} · {item.width}×{item.height} · {format_size(item.size)}"
            )
            button.clicked.connect(lambda: self.action.emit(item, "view"))
            self._show_thumbnail(button, item)
        else:
            button.setObjectName("attachmentChip")
            button.setText(chip_text(item))
            button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAccessibleName(tr("Attachment {name}", name=item.name))
            button.setAccessibleDescription(
                chip_text(item) + (f"; {item.note}" if item.note else "")
            )
            button.setToolTip(item.note or tr("Save it, or show the text the model read"))
            button.clicked.connect(
                lambda: self._menu(item, button.mapToGlobal(QPoint(0, button.height())))
            )
        show_origin(button, item)  # a tool server's resource: which one, and its URI
        return button

    def _menu(self, item: AttachmentView, at: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if item.is_image:
            # translators: a menu item that opens an attached image in the image viewer
            menu.addAction(tr("View"), lambda: self.action.emit(item, "view"))
            menu.addAction(tr("Copy image"), lambda: self.action.emit(item, "copy"))
        else:
            read = tr("Show the text the model read")
            menu.addAction(read, lambda: self.action.emit(item, "text"))
        menu.addAction(tr("Save as…"), lambda: self.action.emit(item, "save"))
        menu.popup(at)  # not exec(): no nested event loop under qasync

    def _show_thumbnail(self, button: QToolButton, item: AttachmentView) -> None:
        if not item.is_image or self._thumbnails is None:
            return
        pixmap = self._thumbnails.get(item.thumb or item.sha256)
        if pixmap is not None:
            button.setIcon(QIcon(pixmap))
        elif self._thumbnails.failed(item.thumb or item.sha256):
            button.setText(tr("Image missing"))
            button.setToolTip(
                tr(
                    "{name}: its file is not on this computer, or is damaged. In a chat shared "
                    "with a team, the team server may not hold it: not uploaded yet by whoever "
                    "attached it, or over the team's space for files.",
                    name=item.name,
                )
            )

    def _thumbnail_ready(self, sha256: str) -> None:
        for button, item in zip(self.buttons, self._items, strict=True):
            if item.is_image and sha256 == (item.thumb or item.sha256):
                self._show_thumbnail(button, item)
