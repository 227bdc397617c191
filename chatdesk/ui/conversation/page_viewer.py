"""What an answer read of a web page, without leaving chatdesk: the page's title, its site and
when it was read, its address, and its text exactly as the model was given it (plain text:
what a page says is never markup here), with "Open page", which opens the address in the
browser after the window's link confirmation, as the answer's "[n]" does. Nothing is fetched:
the text is the one kept with the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import isolated, tr
from chatdesk.ui.conversation.frame import plain_label
from chatdesk.ui.conversation.sources import read_when
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import set_icon

if TYPE_CHECKING:
    from chatdesk.core.views import CitedSource


class PageViewer(QDialog):
    """`open_link(url, parent)` asks the user, then opens the page (the window's)."""

    def __init__(
        self,
        source: CitedSource,
        open_link: Callable[[str, QWidget], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self._open_link = open_link
        self.setWindowTitle(tr("[{number}] {title}", number=source.number, title=source.name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self.resize(820, 640)

    def _build(self) -> None:
        source = self.source
        layout = QVBoxLayout(self)
        self.heading = plain_label(source.name, "pageTitle")
        facts = [isolated(source.location)]
        if source.read_at:
            facts.append(tr("read {when}", when=read_when(source.read_at)))
        self.facts = plain_label(" · ".join(f for f in facts if f), "pageFacts")
        self.address = QLineEdit(source.url)  # one line however long, selectable, copyable
        self.address.setObjectName("pageAddress")
        self.address.setReadOnly(True)
        self.address.setFrame(False)
        self.address.setCursorPosition(0)
        if self.address.isRightToLeft():  # on the leading side, as the lines above it
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute
            self.address.setAlignment(right | Qt.AlignmentFlag.AlignVCenter)
        self.address.setAccessibleName(tr("Address"))
        self.note = plain_label(
            tr("The text chatdesk read from this page and gave the model:"), "pageFacts"
        )
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("Text read from {title}", title=source.name))
        self.text.setPlainText(source.text)
        self.open_button = QPushButton(tr("&Open page"))
        self.open_button.setToolTip(tr("Open {address} in your browser", address=source.url))
        set_icon(self.open_button, "external", current_look())
        self.open_button.clicked.connect(lambda: self._open_link(self.source.url, self))
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(close)
        widgets: tuple[QWidget, ...] = (self.heading, self.facts, self.address, self.note)
        for widget in (*widgets, self.text):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        close.setDefault(True)
