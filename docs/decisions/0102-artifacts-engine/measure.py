# ruff: noqa
"""A QWebEngineView in the app's own process: import, first load and paint, memory, and what stays once the page is deleted."""

import os, sys, time
import psutil
from PySide6.QtCore import Qt, QCoreApplication, QTimer, QUrl, QEventLoop
from PySide6.QtWidgets import QApplication, QWidget

QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
app = QApplication(sys.argv)
me = psutil.Process()


def mem(p):
    try:
        f = p.memory_full_info()
        return f.rss / 2**20, f.uss / 2**20, f.pss / 2**20
    except psutil.Error:
        return (0, 0, 0)


def report(tag):
    ch = me.children(recursive=True)
    a = mem(me)
    cs = [mem(c) for c in ch]
    print(
        f"{tag}: app rss {a[0]:.0f} uss {a[1]:.0f} pss {a[2]:.0f} MiB | {len(ch)} engine processes rss {sum(c[0] for c in cs):.0f} uss {sum(c[1] for c in cs):.0f} pss {sum(c[2] for c in cs):.0f} MiB",
        flush=True,
    )


def spin(seconds, until=lambda: False):
    loop = QEventLoop()
    t = time.perf_counter()

    def check():
        if until() or time.perf_counter() - t > seconds:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(5)
    loop.exec()
    timer.stop()
    return time.perf_counter() - t


w = QWidget()
w.resize(400, 300)
w.show()
spin(0.5)
report("bare window")
t = time.perf_counter()
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView

print(f"import QtWebEngineCore+Widgets {1000 * (time.perf_counter() - t):.0f} ms")
t = time.perf_counter()
profile = QWebEngineProfile()
print(f"QWebEngineProfile() (the engine starts) {1000 * (time.perf_counter() - t):.0f} ms")


def show(colour):
    t = time.perf_counter()
    page = QWebEnginePage(profile)
    view = QWebEngineView()
    view.setPage(page)
    view.resize(400, 300)
    view.show()
    made = time.perf_counter() - t
    marks = {}
    page.loadFinished.connect(lambda ok: marks.setdefault("load", time.perf_counter() - t))
    page.setHtml(
        f"<!doctype html><body style='background:{colour};margin:0'><h1>hello</h1></body>",
        QUrl("about:blank"),
    )
    want = {"red": (255, 0, 0), "blue": (0, 0, 255)}[colour]

    def painted():
        if "paint" not in marks:
            img = view.grab().toImage()
            if img.width() > 10:
                c = img.pixelColor(5, 5)
                if (c.red(), c.green(), c.blue()) == want:
                    marks["paint"] = time.perf_counter() - t
        return "paint" in marks and "load" in marks

    spin(30, painted)
    print(
        f"  {colour}: page+view made {1000 * made:.0f} ms, loadFinished at {1000 * marks.get('load', -1):.0f} ms, first painted pixel at {1000 * marks.get('paint', -1):.0f} ms (from before the view was made)",
        flush=True,
    )
    return page, view


p1, v1 = show("red")
spin(1.0)
report("one page shown, 1 s later")
p2, v2 = show("blue")
spin(1.0)
report("two pages shown, 1 s later")
renderers = {p1.renderProcessPid(), p2.renderProcessPid()}
print("renderer pids", renderers)
t = time.perf_counter()
for v, p in ((v1, p1), (v2, p2)):
    v.close()
    v.deleteLater()
    p.deleteLater()
del v1, p1, v2, p2


def renderers_gone():
    for pid in renderers:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.Error:
            pass
    return True


took = spin(20, renderers_gone)
print(f"pages deleted: renderers gone after {1000 * took:.0f} ms: {renderers_gone()}")
spin(1.0)
report("pages deleted, 1 s later")
spin(10)
report("pages deleted, 11 s later")
