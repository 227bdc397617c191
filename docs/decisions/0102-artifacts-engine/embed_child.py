# ruff: noqa
import sys, os
from PySide6.QtCore import Qt, QCoreApplication, QUrl, QTimer
from PySide6.QtWidgets import QApplication

QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
app = QApplication(sys.argv[:1])
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEnginePage

profile = QWebEngineProfile()
page = QWebEnginePage(profile)
view = QWebEngineView()
view.setPage(page)
view.setWindowFlags(Qt.FramelessWindowHint)
view.resize(300, 200)
page.setHtml(
    "<body style='background:#f00;margin:0'><input id=i autofocus><script>document.getElementById('i').addEventListener('input', e => document.title = 'typed ' + e.target.value)</script>",
    QUrl("about:blank"),
)
page.titleChanged.connect(lambda t: print("title", t, flush=True))
view.winId()  # a native window to hand over
print("wid", int(view.winId()), flush=True)
view.show()
QTimer.singleShot(15000, app.quit)
app.exec()
