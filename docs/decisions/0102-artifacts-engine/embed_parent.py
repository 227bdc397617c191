# ruff: noqa
import sys, subprocess, time
from PySide6.QtCore import QTimer, Qt, QEventLoop
from PySide6.QtGui import QWindow, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget, QVBoxLayout, QLabel
from PySide6.QtTest import QTest

app = QApplication(sys.argv[:1])
t0 = time.perf_counter()
child = subprocess.Popen([sys.executable, "embed_child.py"], stdout=subprocess.PIPE, text=True)
wid = None
while wid is None:
    line = child.stdout.readline()
    if line.startswith("wid"):
        wid = int(line.split()[1])
print(f"child's window id after {1000 * (time.perf_counter() - t0):.0f} ms", flush=True)
panel = QWidget()
lay = QVBoxLayout(panel)
lay.addWidget(QLabel("chatdesk's panel"))
foreign = QWindow.fromWinId(wid)
container = QWidget.createWindowContainer(foreign, panel)
container.setMinimumSize(300, 200)
lay.addWidget(container)
panel.resize(340, 260)
panel.show()


def spin(s):
    loop = QEventLoop()
    QTimer.singleShot(int(s * 1000), loop.quit)
    loop.exec()


spin(3)
shot = QGuiApplication.primaryScreen().grabWindow(0).toImage()
p = container.mapTo(panel, container.rect().center())
g = panel.mapToGlobal(p)
c = shot.pixelColor(g.x(), g.y() + 40)
print("pixel in the container", c.name(), "platform", QGuiApplication.platformName(), flush=True)
import os

# a real click into the embedded page, then real typing, through the X server
os.system(f"xdotool mousemove {g.x()} {g.y() - 90} click 1 sleep 0.3 type --delay 50 ab")
spin(1)
import threading

out = []


def read():
    for line in child.stdout:
        out.append(line.strip())


threading.Thread(target=read, daemon=True).start()
spin(1.5)
print("child said", out, flush=True)
child.kill()
