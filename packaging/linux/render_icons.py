"""Draw the hicolor PNG icons from resources/icons/chatdesk.svg (run after changing it).

    .venv/bin/python packaging/linux/render_icons.py

Writes resources/icons/hicolor/<N>x<N>/apps/io.github.chatdesk.Chatdesk.png for the sizes
desktops look for; the SVG itself is installed as the scalable icon (install-desktop.sh).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

APP_ID = "io.github.chatdesk.Chatdesk"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


def render(renderer: QSvgRenderer, size: int, path: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise SystemExit(f"cannot write {path}")
    print(path.relative_to(ICONS.parent.parent))


def main() -> int:
    app = QGuiApplication(sys.argv)  # QImage and QPainter need one for fonts and pixmaps
    renderer = QSvgRenderer(str(ICONS / "chatdesk.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/icons/chatdesk.svg is not a valid SVG")
    for size in SIZES:
        render(renderer, size, ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
