"""The image viewer: an attached image at full size, zoomed with Ctrl+wheel, + and − (0 fits
it to the window, 1 shows it pixel for pixel), copied or saved. The image is decoded off the
GUI thread; the dialog shows its name and size meanwhile."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.attachments.thumbnails import Thumbnails

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 16.0


class _Canvas(QScrollArea):
    zoomed = Signal(int)  # +1 in, -1 out

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoomed.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
        else:
            super().wheelEvent(event)


class ImageViewer(QDialog):
    save_requested = Signal()

    def __init__(self, name: str, sha256: str, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(name)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("imageViewer")
        self._image = QImage()
        self._pixmap = QPixmap()
        self._zoom = 0.0  # 0: fitted to the window
        self._picture = QLabel(tr("Opening…"))
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._picture.setAccessibleName(tr("Image {name}", name=name))
        self._canvas = _Canvas()
        self._canvas.setWidget(self._picture)
        self._canvas.setWidgetResizable(True)
        self._canvas.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._canvas.zoomed.connect(lambda step: self.zoom_by(ZOOM_STEP**step))
        self.size_label = QLabel()
        buttons = QHBoxLayout()
        for text, name_, slot in (
            ("−", tr("Zoom out"), lambda: self.zoom_by(1 / ZOOM_STEP)),
            ("+", tr("Zoom in"), lambda: self.zoom_by(ZOOM_STEP)),
            # translators: a button that fits the image to the viewer's window
            (tr("Fit"), tr("Fit to the window"), self.fit),
            ("100 %", tr("Actual size"), lambda: self.set_zoom(1.0)),
            # translators: a button that copies the image shown
            (tr("Copy"), tr("Copy the image"), self.copy),
            (tr("Save as…"), tr("Save the image as a file"), self.save_requested.emit),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name_)
            button.setToolTip(name_)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            if text == "100 %":
                buttons.addStretch(1)
        buttons.insertWidget(4, self.size_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self._canvas, 1)
        layout.addLayout(buttons)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_by(1 / ZOOM_STEP)),
            (QKeySequence("Ctrl+0"), self.fit),
            (QKeySequence("Ctrl+1"), lambda: self.set_zoom(1.0)),
            (QKeySequence.StandardKey.Copy, self.copy),
        ):
            QShortcut(keys, self, slot)
        self.resize(QSize(900, 700))
        self._loader = Thumbnails(folder, self, largest=16384)
        self._loader.ready.connect(self._loaded)
        self._sha256 = sha256
        if (pixmap := self._loader.get(sha256)) is not None:  # never cached yet: it decodes
            self._show(pixmap)

    @property
    def zoom(self) -> float:
        """The scale shown (fitted: what fitting gives)."""
        if self._pixmap.isNull():
            return 1.0
        return self._zoom or self._fitted()

    def _loaded(self, sha256: str) -> None:
        pixmap = self._loader.get(sha256)
        if pixmap is None:
            self._picture.setText(tr("This image's file is missing or damaged on this computer."))
            return
        self._show(pixmap)

    def _show(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._image = pixmap.toImage()
        self.size_label.setText(f"{pixmap.width()}×{pixmap.height()}")
        self._draw()

    def _fitted(self) -> float:
        room = self._canvas.viewport().size()
        return min(1.0, room.width() / self._pixmap.width(), room.height() / self._pixmap.height())

    def set_zoom(self, zoom: float) -> None:
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._draw()

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fit(self) -> None:
        self._zoom = 0.0
        self._draw()

    def _draw(self) -> None:
        if self._pixmap.isNull():
            return
        size = self._pixmap.size() * self.zoom
        mode = Qt.TransformationMode.SmoothTransformation
        self._picture.setPixmap(self._pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, mode))
        self.size_label.setText(
            f"{self._pixmap.width()}×{self._pixmap.height()} · {round(self.zoom * 100)} %"
        )

    def copy(self) -> None:
        if not self._image.isNull():
            QGuiApplication.clipboard().setImage(self._image)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if not self._zoom:
            self._draw()
