# ruff: noqa
"""An artifact that loops or allocates: does the GUI thread keep its pace, how does the renderer end, how fast."""

import os, sys, time, signal, psutil
from PySide6.QtCore import Qt, QCoreApplication, QTimer, QUrl, QEventLoop
from PySide6.QtWidgets import QApplication

QCoreApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
app = QApplication(sys.argv[:1])
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView

case, how = sys.argv[1], sys.argv[2]
JS = {
    "loop": "setTimeout(() => { while (true) {} }, 200)",
    "idle": "",
    "objects": "setTimeout(() => { const keep = []; while (true) keep.push(new Array(1e6).fill(1.5)); }, 200)",
    "buffers": "setTimeout(() => { const keep = []; for (let i = 0; i < 64; i++) { const b = new Uint8Array(64 << 20); b.fill(1); keep.push(b); } document.title = 'allocated 4 GiB'; }, 200)",
}[case]
profile = QWebEngineProfile()
page = QWebEnginePage(profile)
view = QWebEngineView()
view.setPage(page)
view.show()
events = []
t0 = time.perf_counter()
page.renderProcessTerminated.connect(
    lambda st, code: events.append((time.perf_counter() - t0, st.name, code))
)
page.titleChanged.connect(lambda t: events.append((time.perf_counter() - t0, "title", t)))
page.setHtml(f"<script>{JS}</script><p>x", QUrl("about:blank"))
gaps = []
last = [time.perf_counter()]


def tick():
    now = time.perf_counter()
    gaps.append(now - last[0])
    last[0] = now


beat = QTimer()
beat.timeout.connect(tick)
beat.start(10)


def spin(s, until=lambda: False):
    loop = QEventLoop()
    t = time.perf_counter()

    def check():
        if until() or time.perf_counter() - t > s:
            loop.quit()

    tm = QTimer()
    tm.timeout.connect(check)
    tm.start(5)
    loop.exec()
    tm.stop()
    return time.perf_counter() - t


peak = [0]
pid = [0]


def watch():
    p = page.renderProcessPid()
    if p and p != pid[0] and how == "nice":
        try:
            psutil.Process(p).nice(10)
        except psutil.Error:
            pass
    if p:
        pid[0] = p
    try:
        peak[0] = max(peak[0], psutil.Process(pid[0]).memory_info().rss)
    except Exception:
        pass


w = QTimer()
w.timeout.connect(watch)
w.start(20)
spin(
    1.5 if case in ("loop", "idle") else 25,
    lambda: (
        case not in ("loop", "idle")
        and any("Termination" in str(e[1]) or e[2] == "allocated 4 GiB" for e in events)
    ),
)
rpid = pid[0]
cpu = psutil.Process(rpid).cpu_percent(0.5) if psutil.pid_exists(rpid) else None
print(
    f"{case}: renderer {rpid} cpu {cpu}% peak rss {peak[0] / 2**20:.0f} MiB; events {events}; GUI heartbeat (10 ms) max gap {1000 * max(gaps):.0f} ms, p99 {1000 * sorted(gaps)[int(len(gaps) * 0.99)]:.0f} ms over {len(gaps)} beats"
)
if case == "loop":
    gaps.clear()
    t = time.perf_counter()
    if how == "stop":
        page.triggerAction(QWebEnginePage.WebAction.Stop)
    elif how == "kill":
        os.kill(rpid, signal.SIGKILL)
    elif how == "delete":
        view.close()
        view.deleteLater()
        page.deleteLater()
        view = page = None
    elif how == "discard":
        view.hide()
        page.setLifecycleState(QWebEnginePage.LifecycleState.Discarded)
    elif how == "blank":
        page.setHtml("<p>stopped", QUrl("about:blank"))

    def gone():
        try:
            return (
                psutil.Process(rpid).status() == psutil.STATUS_ZOMBIE
                or psutil.Process(rpid).cpu_percent(0.05) < 20
            )
        except psutil.Error:
            return True

    took = spin(10, gone)
    alive = psutil.pid_exists(rpid) and psutil.Process(rpid).status() != psutil.STATUS_ZOMBIE
    print(
        f"  {how}: renderer {'still alive' if alive else 'gone'}, busy loop ended: {gone()} after {1000 * took:.0f} ms; events {events[-1:]}; new renderer pid {page.renderProcessPid() if page else '-'}; GUI max gap {1000 * max(gaps or [0]):.0f} ms"
    )
