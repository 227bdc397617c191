# ruff: noqa
"""A headless engine process: serves mm/ over the artifact scheme, renders every diagram with mermaid.render, writes SVGs to out/."""

import os, sys, time, json

T0 = time.perf_counter()
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer, QUrl, QEventLoop
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

scheme = QWebEngineUrlScheme(b"artifact")
scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.CorsEnabled)
QWebEngineUrlScheme.registerScheme(scheme)
from PySide6.QtGui import QGuiApplication

app = QGuiApplication(sys.argv[:1])
T_app = time.perf_counter()
html_labels = os.environ.get("HTMLLABELS", "false")


class Files(QWebEngineUrlSchemeHandler):
    def requestStarted(self, job):
        name = job.requestUrl().path().lstrip("/")
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mm", name)
        if "/" in name or not os.path.isfile(path):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        body = (
            open(path, "rb")
            .read()
            .replace(b"HTMLLABELS", html_labels.encode())
            .replace(b"FLATTEN", os.environ.get("FLATTEN", "false").encode())
            .replace(b"PNG)", os.environ.get("PNG", "false").encode() + b")")
        )
        buf = QBuffer(parent=job)
        buf.setData(QByteArray(body))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(b"text/html" if name.endswith(".html") else b"text/javascript", buf)


class Only(QWebEngineUrlRequestInterceptor):
    def interceptRequest(self, info):
        if info.requestUrl().scheme() != "artifact":
            info.block(True)


profile = QWebEngineProfile()
files = Files()
only = Only()
profile.installUrlSchemeHandler(b"artifact", files)
profile.setUrlRequestInterceptor(only)
page = QWebEnginePage(profile)


def spin(s, until):
    loop = QEventLoop()
    t = time.perf_counter()

    def check():
        if until() or time.perf_counter() - t > s:
            loop.quit()

    tm = QTimer()
    tm.timeout.connect(check)
    tm.start(2)
    loop.exec()
    tm.stop()


loaded = []
page.loadFinished.connect(loaded.append)
page.load(QUrl("artifact://m/index.html"))
spin(30, lambda: loaded)
T_loaded = time.perf_counter()
from diagrams import D

os.makedirs("out", exist_ok=True)
times = {}


def draw(key, text):
    got = []
    t = time.perf_counter()
    page.runJavaScript(f"draw({json.dumps(key)}, {json.dumps(text)})", 0, lambda r: None)

    def poll():
        page.runJavaScript(
            f"JSON.stringify(window.drawn[{json.dumps(key)}])",
            0,
            lambda r: got.append(r) if r and r != "null" else None,
        )
        return bool(got)

    spin(30, poll)
    times[key] = time.perf_counter() - t
    return json.loads(got[0]) if got else {"error": "timeout"}


first = None
for key, text in D.items():
    r = draw(key, text)
    if first is None:
        first = time.perf_counter() - T0
    if "svg" in r:
        open(f"out/{key}.svg", "w").write(r["svg"])
    if "png" in r:
        import base64

        open(f"out/{key}.png", "wb").write(base64.b64decode(r["png"].split(",", 1)[1]))
    print(
        f"{key:12s} {1000 * times[key]:6.0f} ms  {'svg %d chars, foreignObject %d' % (len(r['svg']), r['svg'].count('<foreignObject')) if 'svg' in r else 'ERROR ' + r['error'][:80]}",
        flush=True,
    )
again = draw("flowchart2", D["flowchart"])
print(
    f"interpreter start→app {1000 * (T_app - T0):.0f} ms, →page with mermaid loaded {1000 * (T_loaded - T0):.0f} ms, →first SVG {1000 * first:.0f} ms; flowchart again {1000 * times['flowchart2']:.0f} ms"
)
import psutil

me = psutil.Process()
ch = me.children(recursive=True)


def m(p):
    f = p.memory_full_info()
    return f.rss / 2**20, f.uss / 2**20, f.pss / 2**20


a = m(me)
cs = [m(c) for c in ch]
print(
    f"child process rss {a[0]:.0f} uss {a[1]:.0f} pss {a[2]:.0f} MiB; {len(ch)} engine processes rss {sum(c[0] for c in cs):.0f} uss {sum(c[1] for c in cs):.0f} pss {sum(c[2] for c in cs):.0f} MiB"
)
t = time.perf_counter()
del page
profile.deleteLater()
app.quit()
