"""Open and Attach on a resource a tool's result gave (its card's rows,
`chatdesk/ui/conversation/tool_resources.py`).

Open shows an embedded text, or a linked resource read from its server, in a read-only viewer
of plain text. An http(s) link is never opened because the server sent it: the user sees the
whole address and opens it in the browser only by choosing Open there. Attach reads it like a
resource chosen in the browser and hands the attachments to the composer (`attached`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.tools.mcp_resources import ResourceContent
from chatdesk.core.trust.links import classify_link
from chatdesk.core.units import format_size

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import AttachmentInput, ResultResource
    from chatdesk.ui.runner import Runner

OPEN, ATTACH = "resource_open", "resource_attach"


class ResourceActions(QObject):
    attached = Signal(object)  # an AttachmentInput made of a resource, for the composer

    def __init__(self, window: QWidget, service: ChatService, runner: Runner) -> None:
        super().__init__(window)
        self._window = window
        self._resources = service.tools.resources
        self._runner = runner
        self.shown: list[QDialog | QMessageBox] = []  # open, for tests and screenshots

    def run(self, resource: ResultResource, action: str) -> None:
        if action == OPEN:
            self.open(resource)
        elif action == ATTACH:
            self.attach(resource)

    def open(self, resource: ResultResource) -> None:
        if resource.text is not None:
            self._show_text(resource.label, resource.text)
        elif resource.uri.lower().startswith(("http://", "https://")):
            self._confirm_link(resource.uri)
        else:
            self._runner.run(
                self._resources.read(resource.server, resource.uri),
                done=lambda contents: self._show_text(resource.label, _text_of(contents)),
                failure=self._failed,
            )

    def attach(self, resource: ResultResource) -> None:
        resources = self._resources
        if resource.text is not None:  # embedded: what the result held, not read again
            content = ResourceContent(resource.uri, resource.mime or "text/plain", resource.text)

            async def made() -> list[AttachmentInput]:
                return [await resources.attach_content(resource.server, content, resource.label)]

            call = made()
        else:
            call = resources.attach(resource.server, resource.uri, resource.label)
        self._runner.run(call, done=self._hand, failure=self._failed)

    def _hand(self, items: list[AttachmentInput]) -> None:
        for item in items:
            self.attached.emit(item)

    def _confirm_link(self, uri: str) -> None:
        """The link checked and said as every link of an answer is (`classify_link`: the real
        host shown, in ASCII), opened only by Open."""
        target = classify_link(uri)
        if target.kind != "external" or target.mail:
            reason = target.reason or tr("not a web address")
            self._failed(ChatdeskError(tr("Link not opened: {reason}", reason=reason)))
            return
        box = QMessageBox(self._window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowTitle(tr("Open link"))
        box.setTextFormat(Qt.TextFormat.PlainText)  # the whole address, as it is
        box.setText(target.confirmation())
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        url = target.url
        box.accepted.connect(lambda: QDesktopServices.openUrl(QUrl(url)))
        self._keep(box)
        box.open()  # not exec(): no nested event loop under qasync

    def _show_text(self, name: str, text: str) -> None:
        dialog = QDialog(self._window)
        dialog.setWindowTitle(name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view = QPlainTextEdit(dialog)
        view.setReadOnly(True)
        view.setPlainText(text)
        view.setAccessibleName(tr("Text of {name}", name=name))
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        dialog.resize(760, 600)
        self._keep(dialog)
        dialog.show()

    def _keep(self, shown: QDialog | QMessageBox) -> None:
        self.shown.append(shown)
        shown.destroyed.connect(lambda: self.shown.remove(shown))

    def _failed(self, error: ChatdeskError) -> None:
        self._window.window().statusBar().showMessage(str(error), 15_000)  # type: ignore[attr-defined]


def _text_of(contents: tuple[ResourceContent, ...]) -> str:
    """The text of what was read; a blob named by its type and size (attach it to read it)."""
    pieces = []
    for content in contents:
        if content.text is not None:
            pieces.append(content.text)
        else:
            pieces.append(
                tr(
                    "({mime}, {size}: attach it to read it)",
                    mime=content.mime,
                    size=format_size(content.size),
                )
            )
    return "\n\n".join(pieces)
