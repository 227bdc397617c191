# ruff: noqa
"""An artifact served from its own scheme in an off-the-record profile; a secret server on 127.0.0.1 must hear nothing.
argv: layers to use, any of: intercept csp guard (guard = acceptNavigationRequest/createWindow/downloads/permissions)."""

import os, sys, time, threading, socket, socketserver
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QTimer, QUrl, Qt
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
    QWebEnginePermission,
)

layers = set(sys.argv[1:]) or {"intercept", "csp", "guard"}
heard = []


class Secret(BaseHTTPRequestHandler):
    def handle_one_request(self):
        heard.append(("tcp-request", self.client_address[1]))
        super().handle_one_request()

    def _any(self):
        heard.append((self.command, self.path))
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"secret")

    do_GET = do_POST = do_HEAD = do_OPTIONS = _any

    def log_message(self, *a):
        pass


if os.environ.get("SECRET"):
    PORT, UDP = map(int, os.environ["SECRET"].split())
else:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Secret)
    PORT = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    UDP = udp.getsockname()[1]

    def listen_udp():
        while True:
            data, addr = udp.recvfrom(2048)
            heard.append(("udp", len(data)))

    threading.Thread(target=listen_udp, daemon=True).start()

SCHEME = b"artifact"
scheme = QWebEngineUrlScheme(SCHEME)
scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
import functools, operator

scheme.setFlags(
    functools.reduce(
        operator.or_,
        [
            getattr(QWebEngineUrlScheme.Flag, f)
            for f in os.environ.get("SCHEME_FLAGS", "SecureScheme LocalScheme CorsEnabled").split()
        ],
    )
)
QWebEngineUrlScheme.registerScheme(scheme)
from PySide6.QtWidgets import QApplication
from PySide6.QtWebEngineWidgets import QWebEngineView

QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
app = QApplication(sys.argv[:1])
CSP = (
    "default-src 'none'; script-src artifact: 'unsafe-inline'; style-src artifact: 'unsafe-inline'; img-src artifact: data: blob:; "
    "font-src artifact: data:; connect-src 'none'; media-src 'none'; frame-src 'none'; worker-src 'none'; child-src 'none'; "
    "object-src 'none'; form-action 'none'; base-uri 'none'; manifest-src 'none'"
)
served = []


class Files(QWebEngineUrlSchemeHandler):
    TYPES = {".html": b"text/html", ".js": b"text/javascript", ".css": b"text/css"}

    def requestStarted(self, job):
        url = job.requestUrl()
        served.append(url.toString())
        name = url.path().lstrip("/") or "index.html"
        path = os.path.join(os.path.dirname(__file__), "art", name)
        if url.host() != "a1" or "/" in name or not os.path.isfile(path):
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        body = open(path).read().replace("SECRET", str(PORT)).replace("UDP", str(UDP)).encode()
        buf = QBuffer(parent=job)
        buf.setData(QByteArray(body))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        if "csp" in layers:
            job.setAdditionalResponseHeaders(
                {QByteArray(b"Content-Security-Policy"): [QByteArray(CSP.encode())]}
            )
        job.reply(self.TYPES.get(os.path.splitext(name)[1], b"application/octet-stream"), buf)


blocked = []


class OnlyArtifact(QWebEngineUrlRequestInterceptor):
    def interceptRequest(self, info):
        url = info.requestUrl()
        if url.scheme() != "artifact" or url.host() != "a1":
            blocked.append(
                (url.toString()[:60], info.resourceType().name, info.navigationType().name)
            )
            info.block(True)


if "deadproxy" in layers:
    from PySide6.QtNetwork import QNetworkProxy

    QNetworkProxy.setApplicationProxy(
        QNetworkProxy(QNetworkProxy.ProxyType.Socks5Proxy, "255.255.255.255", 9)
    )
profile = QWebEngineProfile()  # no storage name: off the record
assert profile.isOffTheRecord()
files = Files()
profile.installUrlSchemeHandler(SCHEME, files)
interceptor = OnlyArtifact()
if "intercept" in layers:
    profile.setUrlRequestInterceptor(interceptor)
downloads = []
if "guard" in layers:
    profile.downloadRequested.connect(
        lambda d: (downloads.append(d.url().toString()[:40]), d.cancel())
    )
s = profile.settings()
if "guard" in layers:
    off = [
        "JavascriptCanOpenWindows",
        "JavascriptCanAccessClipboard",
        "JavascriptCanPaste",
        "LocalContentCanAccessRemoteUrls",
        "LocalContentCanAccessFileUrls",
        "PluginsEnabled",
        "PdfViewerEnabled",
        "ScreenCaptureEnabled",
        "WebGLEnabled",
        "DnsPrefetchEnabled",
        "HyperlinkAuditingEnabled",
        "FullScreenSupportEnabled",
        "NavigateOnDropEnabled",
        "LocalStorageEnabled",
        "AutoLoadIconsForPage",
        "TouchIconsEnabled",
        "AllowWindowActivationFromJavaScript",
        "AllowRunningInsecureContent",
        "AllowGeolocationOnInsecureOrigins",
        "ErrorPageEnabled",
    ]
    for name in off:
        s.setAttribute(getattr(QWebEngineSettings.WebAttribute, name), False)
    s.setAttribute(QWebEngineSettings.WebAttribute.WebRTCPublicInterfacesOnly, True)
navigations = []
permissions = []
windows = []


class Page(QWebEnginePage):
    def acceptNavigationRequest(self, url, kind, main):
        ok = url.scheme() == "artifact" and url.host() == "a1" and (not navigations or not main)
        navigations.append((url.toString()[:50], kind.name, main, ok))
        return ok if "guard" in layers else True

    def createWindow(self, kind):
        windows.append(kind.name)
        return None if "guard" in layers else QWebEnginePage(profile, self)

    def javaScriptConsoleMessage(self, level, message, line, source):
        print(
            "  " + (message[7:] if message.startswith("RESULT") else "console: " + message[:150]),
            flush=True,
        )


page = Page(profile)
if "nortc" in layers:
    from PySide6.QtWebEngineCore import QWebEngineScript

    js = QWebEngineScript()
    js.setName("no-webrtc")
    js.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    js.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
    js.setRunsOnSubFrames(True)
    js.setSourceCode(
        "for (const n of ['RTCPeerConnection','webkitRTCPeerConnection','RTCDataChannel','RTCRtpSender','RTCRtpReceiver','RTCIceCandidate','RTCSessionDescription']) { try { delete window[n]; } catch (e) {} }"
    )
    profile.scripts().insert(js)
if "guard" in layers:
    page.permissionRequested.connect(
        lambda p: (permissions.append(p.permissionType().name), p.deny())
    )
page.renderProcessTerminated.connect(lambda st, code: print("renderer ended", st.name, code))
view = QWebEngineView()
view.setPage(page)
view.resize(600, 400)
view.show()
page.load(QUrl("artifact://a1/index.html"))
QTimer.singleShot(6000, app.quit)
app.exec()
print("layers", sorted(layers))
print("secret server heard:", heard or "nothing")
print("served by the scheme handler:", served)
print("interceptor blocked:")
[print("   ", b) for b in blocked]
print("navigation requests:")
[print("   ", n) for n in navigations]
print("windows asked for:", windows, "downloads:", downloads, "permissions:", permissions)
print("page at the end:", page.url().toString()[:60])
