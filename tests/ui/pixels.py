"""What a test reads off a drawn icon."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage


def inked(image: QImage) -> set[str]:
    """The colours of the pixels an icon drew fully (its strokes' cores)."""
    return {
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }
