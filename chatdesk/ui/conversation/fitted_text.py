"""Read-only plain text sized to its text, as a tool call's card shows its arguments, its
result and its structured result."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy, QTextBrowser


class FittedText(QTextBrowser):
    """Read-only plain text (never markup, never a link followed) as tall as its text, up to
    `most` pixels, then scrolling."""

    def __init__(self, name: str, most: int) -> None:
        super().__init__()
        self.setObjectName("toolText")
        self.setAccessibleName(name)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setTabChangesFocus(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._most = most
        self.document().documentLayout().documentSizeChanged.connect(self._fit)

    def show_text(self, text: str) -> None:
        if self.toPlainText() != text:
            self.setPlainText(text)

    def _fit(self) -> None:
        frame = 2 * self.frameWidth()
        wanted = math.ceil(self.document().size().height()) + frame
        self.setFixedHeight(max(min(wanted, self._most), self.fontMetrics().height() + frame))
