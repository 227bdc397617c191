"""Attachment images decoded off the GUI thread and kept, so a thread with many images opens
at once and scrolls without decoding twice.

`Thumbnails.get(sha256)` returns the decoded image when it is cached, else None and starts
decoding it on Qt's thread pool; `ready(sha256)` is emitted on the GUI thread when it is. A
QImage may be made on any thread (a QPixmap may not): the pool decodes to QImage, the GUI
thread turns it into a pixmap once, when it is first shown. Files are read from the blob store
by hash only; what cannot be decoded is remembered as such and not tried again.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap

CACHE_IMAGES = 400  # thumbnails of up to 320 px: ~100–400 KB each as pixmaps
_KEEP = Qt.AspectRatioMode.KeepAspectRatio


class _Decoded(QObject):
    done = Signal(str, QImage)


class _Decode(QRunnable):
    def __init__(self, sha256: str, path: Path, decoded: _Decoded, largest: int) -> None:
        super().__init__()
        self._sha256, self._path, self._decoded, self._largest = sha256, path, decoded, largest

    def run(self) -> None:
        reader = QImageReader(str(self._path))
        reader.setAutoTransform(False)  # stored upright, without EXIF
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > self._largest:
            reader.setScaledSize(size.scaled(self._largest, self._largest, _KEEP))
        self._decoded.done.emit(self._sha256, reader.read())


class Thumbnails(QObject):
    ready = Signal(str)

    def __init__(self, folder: Path, parent: QObject | None = None, largest: int = 4096) -> None:
        super().__init__(parent)
        self._folder = folder
        self._largest = largest
        self._cache: OrderedDict[str, QPixmap | QImage] = OrderedDict()
        self._waiting: set[str] = set()
        self._failed: set[str] = set()
        self._decoded = _Decoded(self)
        self._decoded.done.connect(self._done)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)

    def path(self, sha256: str) -> Path:
        return self._folder / sha256[:2] / sha256

    def get(self, sha256: str) -> QPixmap | None:
        if not sha256 or sha256 in self._failed:
            return None
        found = self._cache.get(sha256)
        if found is None:
            if sha256 not in self._waiting:
                self._waiting.add(sha256)
                self._pool.start(_Decode(sha256, self.path(sha256), self._decoded, self._largest))
            return None
        self._cache.move_to_end(sha256)
        if isinstance(found, QImage):  # first shown: made a pixmap once, on this thread
            found = QPixmap.fromImage(found)
            self._cache[sha256] = found
        return found

    def failed(self, sha256: str) -> bool:
        return sha256 in self._failed

    def _done(self, sha256: str, image: QImage) -> None:
        self._waiting.discard(sha256)
        if image.isNull():
            self._failed.add(sha256)
        else:
            self._cache[sha256] = image
            while len(self._cache) > CACHE_IMAGES:
                self._cache.popitem(last=False)
        self.ready.emit(sha256)
