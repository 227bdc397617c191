"""The child process of the `startup` and `memory` benchmarks (run by them, not by hand).

    python -m benchmarks.probe chatdesk [THREAD_ID [rest]]   `chatdesk.launch.main`, the real entry
    python -m benchmarks.probe typing                        a QMainWindow holding a text box
    python -m benchmarks.probe bare [memory]                 an empty QMainWindow, nothing else

Either way it prints one line, `PROBE {json}`, before it exits: wall-clock times (`time.time()`,
so the parent can subtract the moment it started the process) of each step; with THREAD_ID,
the resident memory (psutil) once that thread is open and formatted (and with `rest`, again once
the window is at rest: its render child, which stops when idle, has stopped), and with `memory`
the bare window's once it is interactive.

"Interactive" is the same test for chatdesk and the window with a text box: the window has
painted, Qt's event loop turned once more (a zero-timer ran, `turned`), and then a key press sent
to whatever has the keyboard focus landed in the composer or the text box; `typed` says whether
it did (chatdesk's composer deletes it again). The empty window, which has nothing to type into,
is interactive once the loop has turned (docs/decisions/0099-start-up-baseline.md).

chatdesk paints its window before its core is open (the sidebar shows a placeholder; asyncio, the
service and SQLAlchemy load on a worker thread), so two more steps are timed: the core attached
to the window with the asyncio loop running (`attached`), and the sidebar's first page of
threads read and painted (`sidebar_painted`, "content ready"). Before the core is open the
placeholder may show the rows the last run kept (`chatdesk/ui/sidebar/snapshot.py`): their first
paint with thread rows is `kept_painted`. In between, once per frame
(16 ms), how long a zero-timer waits to run (`loop_lag_ms`): the window stays usable while the
worker thread holds the GIL.

The window is then closed the way a user closes it, and chatdesk shuts down normally.

Only the standard library is imported at module level.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the bare window needs neither (~5 ms before its paint)
    import uuid

PREFIX = "PROBE "
WITHOUT = "CHATDESK_PROBE_WITHOUT"  # tricks start-up goes without: see _without_tricks
WIDTH, HEIGHT = 1100, 740  # the size MainWindow gives itself
# A deadline for a stuck probe, not a measure: the memory benchmark waits a minute or more for
# the window to rest, and a loaded machine stretches that and the start and close around it.
TIMEOUT_MS = 600_000
# With `rest`: seconds after its last message that the render child stops once it holds the
# math library (`MATH_IDLE_STOP` in chatdesk/core/render/worker.py, a minute; see _rest_sooner)
REST_AFTER = 5.0
# With `rest`: how long after the page was formatted the probe waits for the render child to
# stop before it gives up and records why not (the child's state): a bound for a child that
# does not stop, which would otherwise hold the whole run until TIMEOUT_MS.
REST_WAIT = 120.0


def main(argv: list[str]) -> int:
    marks: dict[str, Any] = {"main": time.time()}
    kind, *rest = argv
    if kind in ("bare", "typing"):
        code = _bare(marks, measure_memory=bool(rest), typing=kind == "typing")
    elif kind == "chatdesk":
        code = _chatdesk(marks, _thread(rest), rest=rest[1:] == ["rest"])
    else:
        raise SystemExit(f"unknown probe {kind!r}")
    marks["exit_code"] = code
    marks["done"] = time.time()
    import json

    print(PREFIX + json.dumps(marks), flush=True)
    return 0


# -- bare PySide6 --------------------------------------------------------------------------------


def _bare(marks: dict[str, Any], *, measure_memory: bool, typing: bool) -> int:
    """An empty QMainWindow; with `typing`, one holding a focused QPlainTextEdit that must take
    a key as chatdesk's composer must (its import, fonts, text layout and the `Qt` namespace
    the key is made with are then on the clock, as they are on chatdesk's)."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    if typing:
        from PySide6.QtWidgets import QPlainTextEdit
    marks["imported"] = time.time()
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(WIDTH, HEIGHT)
    if typing:
        editor = QPlainTextEdit(window)
        window.setCentralWidget(editor)
        editor.setFocus()

    def interactive() -> None:
        if typing:
            marks["turned"] = time.time()
            marks["typed"] = _type_x(QApplication.focusWidget(), editor.toPlainText)
        marks["interactive"] = time.time()
        if measure_memory:
            marks.update(_memory())
        window.close()
        app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "painted" not in marks:
                marks["painted"] = time.time()
                QTimer.singleShot(0, interactive)
            return False

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.show()
    marks["shown"] = time.time()
    QTimer.singleShot(TIMEOUT_MS, app.quit)
    return app.exec()


def _type_x(target: Any, text: Callable[[], str]) -> bool:
    """Send the key X to `target` (the focused widget); true if `text()` then ends in an "x"
    it did not end in before."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    if target is None:
        return False
    before = text()
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x")
    QApplication.sendEvent(target, key)
    return text() == before + "x"


# -- chatdesk ------------------------------------------------------------------------------------


def _chatdesk(marks: dict[str, Any], thread_id: uuid.UUID | None, *, rest: bool = False) -> int:
    """`chatdesk.launch.main()` with no arguments (what the `chatdesk` command runs), with
    `MainWindow.show` wrapped to watch the window come up. The entry point imports what it
    imports in its own order: the wrapper goes in as `chatdesk.ui.main_window` loads."""
    from chatdesk import launch

    def wrap_show(module: Any) -> None:
        marks["imported"] = time.time()
        original_show = module.MainWindow.show

        def show(window: Any) -> None:
            if "shown" in marks:  # shown again (raised): watched already
                original_show(window)
                return
            # A desktop's size: on the offscreen screen (800 px wide) the sidebar would fold
            # away, and its rows, which the probe waits to see painted, would never paint.
            window.resize(1280, 860)
            original_show(window)
            marks["shown"] = time.time()
            _watch(window, marks, thread_id, rest)

        module.MainWindow.show = show

    _after_import("chatdesk.ui.main_window", wrap_show)
    if rest:
        _after_import("chatdesk.core.render.worker", _rest_sooner)
    _without_tricks(os.environ.get(WITHOUT, "").split(","))
    sys.argv[1:] = []  # the window, with no command or option
    return launch.main()


def _without_tricks(names: list[str]) -> None:
    """Start-up without its speed tricks named in `WITHOUT`, so the benchmark shows what each
    buys: `gc-pause` (the collector stays on from launch), `gil-handover` (the GIL is handed
    over at Python's usual interval while the core opens)."""
    if "gc-pause" in names:
        import gc

        gc.disable = lambda: None  # chatdesk.launch calls it once, before the window's imports
    if "gil-handover" in names:

        def usual(module: Any) -> None:
            module.GIL_HANDOVER_S = sys.getswitchinterval()

        _after_import("chatdesk.ui.core_loader", usual)


def _thread(rest: list[str]) -> uuid.UUID | None:
    """The thread to open and measure (the memory benchmark), if one is given. `uuid` is
    imported only then: the window does not import it before it is interactive (the core does,
    on its own thread), and the bare window never pays for it (~5 ms with `platform`)."""
    if not rest:
        return None
    import uuid

    return uuid.UUID(rest[0])


def _rest_sooner(module: Any) -> None:
    """The render child stops `REST_AFTER` seconds after its last message, not a minute: the
    window is at rest from then on either way (nothing else waits on the child's stop), and
    the memory benchmark then reads it sooner."""
    init = module.RenderWorker.__init__
    timeout, idle_stop, _ = init.__defaults__
    init.__defaults__ = (timeout, idle_stop, REST_AFTER)


def _after_import(name: str, then: Callable[[Any], None]) -> None:
    """Call `then(module)` right after module `name` is first imported, by whoever imports it."""
    import importlib.util

    # A finder as sys.meta_path takes one; not an importlib.abc.MetaPathFinder, whose module
    # costs ~4 ms to import (it loads importlib.resources), charged to chatdesk alone.
    class Hook:
        def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)  # found by the usual finders
            assert spec is not None
            assert spec.loader is not None
            load = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                load(module)
                then(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Hook())


def _watcher_class() -> type:
    """Defined on first use: its base classes come from PySide6."""
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from chatdesk.ui.main_window import MainWindow

    def key(code: Qt.Key, text: str) -> QKeyEvent:
        return QKeyEvent(QEvent.Type.KeyPress, code, Qt.KeyboardModifier.NoModifier, text)

    class Watcher(QObject):
        def __init__(
            self,
            window: MainWindow,
            marks: dict[str, Any],
            thread_id: uuid.UUID | None,
            rest: bool,
        ) -> None:
            super().__init__(window)
            self._window = window
            self._marks = marks
            self._thread_id = thread_id
            self._rest = rest
            self._sidebar_ready = False
            window.installEventFilter(self)
            window.service_attached.connect(self._attached)
            self._kept_view: QObject | None = None  # the placeholder's kept rows
            self._live_view: QObject | None = None  # the sidebar's, once the core is attached
            placeholder = window.panes.placeholder  # it may show the last run's rows
            if placeholder is not None:
                placeholder.installEventFilter(self)
            self._poll = QTimer(self, interval=5)
            self._poll.timeout.connect(self._check_thread)
            self._frames = QTimer(self, interval=16)
            self._frames.timeout.connect(self._check_lag)
            QTimer.singleShot(TIMEOUT_MS, self._give_up)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.ChildPolished and self._kept_view is None:
                tree = getattr(watched, "tree", None)  # the placeholder's kept rows, shown
                if tree is not None and tree.model() is not None and tree.model().rowCount():
                    self._kept_view = tree.viewport()
                    self._kept_view.installEventFilter(self)
            if event.type() == QEvent.Type.Paint:
                if watched is self._kept_view:
                    self._marks.setdefault("kept_painted", time.time())
                elif watched is self._window and "painted" not in self._marks:
                    self._marks["painted"] = time.time()
                    QTimer.singleShot(0, self._interactive)
                elif watched is self._live_view and "sidebar_painted" not in self._marks:
                    self._marks["sidebar_painted"] = time.time()
                    QTimer.singleShot(0, self._content_ready)
            return False

        # Step 1: the window painted, then one more turn of Qt's loop, and it takes a key.
        def _interactive(self) -> None:
            self._marks["turned"] = time.time()
            self._marks["typed"] = self._type_a_key()
            self._marks["interactive"] = time.time()
            self._marks["loop_lag_ms"] = []
            self._frames.start()

        # While the core opens: every frame (16 ms), how long a zero-timer waits to run.
        def _check_lag(self) -> None:
            if "attached" in self._marks:
                self._frames.stop()
                return
            posted = time.perf_counter()
            lags = self._marks["loop_lag_ms"]
            QTimer.singleShot(0, lambda: lags.append((time.perf_counter() - posted) * 1000))

        def _type_a_key(self) -> bool:
            """A key press goes to the focused widget; true if it reached the composer."""
            target = QApplication.focusWidget()
            took = _type_x(target, self._window.composer.text)
            if took and target is not None:
                QApplication.sendEvent(target, key(Qt.Key.Key_Backspace, ""))
            return took

        # Step 2: the core is attached; its sidebar holds a first page of threads and paints it.
        def _attached(self) -> None:
            self._marks["attached"] = time.time()
            self._window.sidebar.model.page_loaded.connect(self._check_sidebar)

        def _check_sidebar(self, *_: object) -> None:
            model = self._window.sidebar.model
            if self._sidebar_ready or model.loading or _thread_rows(model) == 0:
                return
            self._sidebar_ready = True
            self._marks["sidebar_rows"] = time.time()
            self._marks["sidebar_threads"] = _thread_rows(model)
            viewport = self._window.sidebar.tree.viewport()
            self._live_view = viewport
            viewport.installEventFilter(self)
            viewport.update()

        def _content_ready(self) -> None:
            if "interactive" not in self._marks:  # cannot happen before: kept honest anyway
                QTimer.singleShot(5, self._content_ready)
            elif self._thread_id is None:
                self._marks.update(_full_collections())
                self._window.close()
            else:
                self._marks["before_open"] = _memory()
                self._window.show_thread(self._thread_id)
                self._poll.start()

        # Step 3 (memory): the thread's newest page is on screen and formatted, then settle.
        def _check_thread(self) -> None:
            widgets = self._window.view.widgets
            if not widgets or any(w.message.thread_id != self._thread_id for w in widgets):
                return
            if any(w.rendered is None for w in widgets):
                return
            self._poll.stop()
            self._marks["formatted"] = time.time()
            self._marks["widgets"] = len(widgets)
            QTimer.singleShot(500, self._measure)  # deleteLater()s and late paints settle

        def _measure(self) -> None:
            self._marks.update(_memory())
            if not self._rest:
                self._window.close()
                return
            self._poll.timeout.disconnect(self._check_thread)
            self._poll.timeout.connect(self._check_rest)
            self._poll.start(250)

        # Step 4 (memory, `rest`): the render child stopped when idle; the window at rest.
        def _check_rest(self) -> None:
            if any(name == "chatdesk-render" for name in _memory()["children"]):
                if time.time() - self._marks["formatted"] > REST_WAIT:
                    self._poll.stop()
                    self._marks["not_at_rest"] = _render_state(self._window)
                    self._window.close()
                return
            self._poll.stop()
            self._marks["rest"] = time.time()
            self._marks["at_rest"] = _memory()
            self._window.close()

        def _give_up(self) -> None:
            self._marks["timeout"] = True
            if self._thread_id is not None:
                self._marks["stuck"] = f"{_view_state(self._window)}; {_render_state(self._window)}"
            self._window.close()

    return Watcher


def _watch(window: Any, marks: dict[str, Any], thread_id: uuid.UUID | None, rest: bool) -> None:
    _watcher_class()(window, marks, thread_id, rest)  # parented to the window, which keeps it


def _view_state(window: Any) -> str:
    """Where the thread's page stands, for a probe that gave up waiting on it."""
    view = window.view
    made = view.made_widgets  # not `widgets`: reading those would make the rest now
    unformatted = sum(1 for widget in made if widget.rendered is None)
    return (
        f"{len(made)} message widgets made of {window.conversation.rowCount()} rows, "
        f"{unformatted} not formatted"
    )


def _render_state(window: Any) -> str:
    """Why the render child may still run: its worker's state, for the benchmark to print."""
    worker = window._renderer
    if worker is None:
        return "the window has no render worker"
    idle = worker._idle
    stop_in = "none" if idle is None else f"in {idle.when() - time.monotonic():.0f} s"
    return (
        f"render child {worker.pid}, its stop timer {stop_in}, a render running: "
        f"{worker._lock.locked()}, math library loaded: {worker._math_loaded}, "
        f"renders asked: {worker._next_number}; child processes: {_children()}"
    )


def _children() -> str:
    import psutil  # type: ignore[import-untyped]

    found = []
    for child in psutil.Process().children(True):  # as _memory() reads them, zombies too
        try:
            found.append(f"{child.pid} {child.status()} {_name(child.cmdline())}")
        except psutil.Error as error:
            found.append(f"{child.pid} {type(error).__name__}")
    return ", ".join(found) or "none"


def _full_collections() -> dict[str, float]:
    """How long a full pass of the garbage collector stops every thread once the core is open:
    with what start-up made frozen out of its reach (chatdesk.app.build_core), and without."""
    import gc

    def timed() -> float:
        start = time.perf_counter()
        gc.collect()
        return (time.perf_counter() - start) * 1000

    frozen = timed()
    gc.unfreeze()
    unfrozen = timed()
    gc.freeze()
    return {"collect_frozen_ms": frozen, "collect_unfrozen_ms": unfrozen}


def _thread_rows(model: Any) -> int:
    """Threads held by the sidebar's model (rows under its group rows)."""
    return sum(model.rowCount(model.index(row, 0)) for row in range(model.rowCount()))


def _memory() -> dict[str, Any]:
    """Resident memory of this process and of its children (the render worker): the resident
    set, and the private part of it (USS: what only that process holds, its heap and the
    pages it wrote; not the libraries' pages it maps, which the page cache decides)."""
    import psutil

    me = psutil.Process()
    children: dict[str, int] = {}
    children_uss = 0
    for child in me.children(True):
        # A child that ends meanwhile (the render child stopping when idle: a zombie with no
        # command line until it is reaped, then gone) is not counted, and is no error.
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                full = child.memory_full_info()
                children[_name(child.cmdline())] = full.rss
                children_uss += full.uss
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    mine = me.memory_full_info()
    return {
        "rss": mine.rss,
        "children_rss": sum(children.values()),
        "uss": mine.uss,
        "children_uss": children_uss,
        "children": children,
    }


def _name(command: list[str]) -> str:
    """A child's name (chatdesk/core/trust/children.py passes it, "chatdesk-render", as an
    argument), or the start of its command line."""
    names = [part for part in command if part.startswith("chatdesk-")]
    if names:
        return names[0]
    text = " ".join(command)
    if "resource_tracker" in text:
        return "multiprocessing resource tracker"
    return text[:60]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
