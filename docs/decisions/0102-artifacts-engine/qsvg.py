# ruff: noqa
import sys, os, time, glob
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QColor
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtCore import QByteArray, Qt

app = QGuiApplication(sys.argv[:1])
src = sys.argv[1]
os.makedirs(src + "-png", exist_ok=True)
for path in sorted(glob.glob(src + "/*.svg")):
    data = open(path, "rb").read()
    t = time.perf_counter()
    r = QSvgRenderer(QByteArray(data))
    parse = time.perf_counter() - t
    size = r.defaultSize()
    if size.width() <= 0 or size.width() > 4000:
        size.scale(800, 600, Qt.KeepAspectRatio)
    img = QImage(size, QImage.Format_ARGB32)
    img.fill(QColor("white"))
    t = time.perf_counter()
    p = QPainter(img)
    r.render(p)
    p.end()
    draw = time.perf_counter() - t
    img.save(path.replace(src, src + "-png").replace(".svg", ".png"))
    inked = sum(
        1
        for y in range(0, img.height(), 2)
        for x in range(0, img.width(), 2)
        if img.pixelColor(x, y) != QColor("white")
    )
    print(
        f"{os.path.basename(path):18s} valid {r.isValid()} {size.width()}x{size.height()} parse {1000 * parse:.1f} ms draw {1000 * draw:.1f} ms inked {inked}"
    )
