"""What a click on a message's attachment does: view an image, copy it, save any attachment as
a file (its bytes as stored), or show the text the model read of a document. Files are written
where the user chose, off the GUI thread; nothing is opened with another application."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QPlainTextEdit, QVBoxLayout, QWidget

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.service import ChatService
from chatdesk.core.views import AttachmentView, ResultResource
from chatdesk.ui.attachments.resource_actions import ResourceActions
from chatdesk.ui.attachments.thumbnails import Thumbnails
from chatdesk.ui.runner import Runner

if TYPE_CHECKING:  # the viewer loads with the first image viewed
    from chatdesk.ui.attachments.viewer import ImageViewer


class AttachmentActions(QObject):
    def __init__(self, window: QWidget, service: ChatService, runner: Runner) -> None:
        super().__init__(window)
        self._window = window
        self._service = service
        self._runner = runner
        self.folder = service.attacher.blobs.folder
        self.thumbnails = Thumbnails(self.folder, self)
        self.viewers: list[ImageViewer] = []  # open, for tests and screenshots
        self.resources = ResourceActions(window, service, runner)  # a tool result's resources

    def run(self, item: AttachmentView | ResultResource, action: str) -> None:
        if isinstance(item, ResultResource):
            self.resources.run(item, action)
        elif action == "view":
            self.view(item)
        elif action == "copy":
            self._runner.run(self._service.attachments.bytes_of(item.id), done=_copy_image)
        elif action == "save":
            self.save(item)
        elif action == "text":
            self._runner.run(
                self._service.attachment_text(item.id),
                done=lambda text: self._show_text(item, text),
            )

    def view(self, item: AttachmentView) -> ImageViewer:
        from chatdesk.ui.attachments.viewer import ImageViewer

        viewer = ImageViewer(item.name, item.sha256, self.folder, self._window)
        viewer.save_requested.connect(lambda: self.save(item))
        viewer.destroyed.connect(
            lambda: self.viewers.remove(viewer) if viewer in self.viewers else None
        )
        self.viewers.append(viewer)
        viewer.show()
        return viewer

    def save(self, item: AttachmentView) -> None:
        dialog = QFileDialog(self._window, tr("Save {name}", name=item.name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(_saved_name(item))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.save_to(item, Path(name)))
        dialog.open()  # not exec(): no nested event loop under qasync

    def save_to(self, item: AttachmentView, path: Path) -> None:
        def saved(_: object) -> None:
            said = tr("Saved {path}", path=path)
            self._window.window().statusBar().showMessage(said, 8_000)  # type: ignore[attr-defined]

        def failed(error: ChatdeskError) -> None:
            self._window.window().statusBar().showMessage(str(error), 15_000)  # type: ignore[attr-defined]

        self._runner.run(self._service.attachments.save(item.id, path), done=saved, failure=failed)

    def _show_text(self, item: AttachmentView, text: str) -> None:
        dialog = QDialog(self._window)
        dialog.setWindowTitle(tr("{name}: the text the model read", name=item.name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view = QPlainTextEdit(dialog)
        view.setReadOnly(True)
        view.setPlainText(text or tr("(This attachment holds no text.)"))
        view.setAccessibleName(tr("Text of {name}", name=item.name))
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        dialog.resize(760, 600)
        dialog.show()


def _saved_name(item: AttachmentView) -> str:
    """The name offered: the attachment's, with the extension of what is stored (a photo is
    kept re-encoded, so "holiday.heic" is saved as JPEG)."""
    extensions = {"image/jpeg": ".jpg", "image/png": ".png"}
    wanted = extensions.get(item.mime)
    # translators: the file name offered to save an attachment that has no name
    name = Path(item.name).name or tr("attachment")
    if wanted and not name.lower().endswith((wanted, ".jpeg" if wanted == ".jpg" else wanted)):
        name = Path(name).stem + wanted
    return name


def _copy_image(data: bytes) -> None:
    image = QImage.fromData(data)
    if not image.isNull():
        QGuiApplication.clipboard().setImage(image)
