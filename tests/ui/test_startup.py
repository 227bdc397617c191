"""Start-up: the window paints and takes typing before the core is open, and loses nothing.

Two levels. The window itself, built without a service and attached to a real core later (as
`chatdesk.ui.application` does). And the whole `application.run`, in this process, with a core
whose opening waits until the test lets it finish, so "the core is still opening" is a state
the test holds rather than a race it hopes to win.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.app import Core, build_core
from chatdesk.configuration import Configuration, configure
from chatdesk.core.config import ChatSettings, GeneralSettings, Settings, UiSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.kinds import Role
from chatdesk.core.package_data import package_data
from chatdesk.core.settings_start import StartSettings
from chatdesk.core.views import DraftView, ThreadFilter
from chatdesk.ui.application import run
from chatdesk.ui.core_loader import GIL_HANDOVER_S
from chatdesk.ui.main_window import WAITING_TEXT, MainWindow
from chatdesk.ui.sidebar.placeholder import SidebarPlaceholder
from chatdesk.ui.window.layout import MINIMUM_SIZE
from chatdesk.ui.window.settings import SettingsLater
from tests.ui.window_runs import window_run

CORE_WAIT_S = 30  # a gate the test forgot to open fails the test instead of hanging it


def thread_titles(window: MainWindow) -> list[str]:
    model = window.sidebar.model
    groups = [model.index(row, 0) for row in range(model.rowCount())]
    return [
        thread.title
        for group in groups
        for row in range(model.rowCount(group))
        if (thread := model.thread_at(model.index(row, 0, group))) is not None
    ]


def answered(window: MainWindow) -> bool:
    messages = window.conversation.messages()
    return len(messages) == 2 and messages[-1].status.is_final


def type_and_send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Keys go where the keyboard focus is, as a person's do."""
    focused = QApplication.focusWidget()
    assert focused is window.composer.editor
    qtbot.keyClicks(focused, text)
    qtbot.keyClick(focused, Qt.Key.Key_Return)


@pytest.fixture
def shell(make_core: Any, qtbot: QtBot, finish: Any) -> Iterator[Any]:
    """`shell()`: a shown and started window without a service, as before the core is open.
    Closed before the cores (`make_core`) are: closing keeps the draft through its core."""
    windows: list[MainWindow] = []

    def open_() -> MainWindow:
        window = MainWindow()
        windows.append(window)
        window.show()
        window.activateWindow()
        window.start()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.composer.editor)
        return window

    yield open_
    for window in windows:
        window.close()
        finish(window.aclose())
        window.deleteLater()


# -- the window before and after its core ---------------------------------------------------------


def test_the_window_takes_typing_before_the_core_is_open_and_fills_in_after(
    shell: Any, make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    window = shell()
    placeholder = window.splitter.widget(0)
    assert isinstance(placeholder, SidebarPlaceholder)
    assert placeholder.status.isVisible()
    assert placeholder.status.text() == "Opening your chats…"
    qtbot.keyClicks(QApplication.focusWidget(), "typed early")

    core = make_core()
    finish(core.service.create_thread(title="Already there"))
    window.attach(core.service)

    qtbot.waitUntil(lambda: thread_titles(window) == ["Already there"])
    assert window.splitter.widget(0) is window.sidebar
    assert window.composer.text() == "typed early"


def test_a_message_sent_before_the_core_is_open_goes_out_once_it_is(
    shell: Any, make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    window = shell()
    type_and_send(qtbot, window, "hello early")
    assert window.composer.text() == "hello early"  # waiting, in sight, not gone
    assert window.statusBar().currentMessage() == WAITING_TEXT
    type_and_send(qtbot, window, "")  # a second Enter does not send it twice

    core = make_core()
    window.attach(core.service)

    qtbot.waitUntil(lambda: answered(window))
    assert window.composer.text() == ""
    assert window.statusBar().currentMessage() != WAITING_TEXT
    assert window.current_thread_id is not None
    stored = finish(core.service.list_messages(window.current_thread_id)).messages
    assert [m.role for m in stored] == [Role.USER, Role.ASSISTANT]
    assert stored[0].content == "hello early"


def test_the_new_chats_saved_draft_outlives_a_message_sent_before_the_core_opened(
    shell: Any, make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    finish(core.service.save_draft(None, DraftView("an older idea")))
    window = shell()
    type_and_send(qtbot, window, "hello early")
    window.attach(core.service)
    qtbot.waitUntil(lambda: answered(window))

    window.new_chat()

    qtbot.waitUntil(lambda: window.composer.text() == "an older idea")


def test_the_saved_draft_and_what_was_typed_early_are_both_kept(
    shell: Any, make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    finish(core.service.save_draft(None, DraftView("an older idea")))
    window = shell()
    qtbot.keyClicks(QApplication.focusWidget(), "and a new one")

    window.attach(core.service)

    qtbot.waitUntil(lambda: window.composer.text() == "an older idea\nand a new one")


# -- the parts built after the first paint ------------------------------------------------------


def _shown_later(qtbot: QtBot, **kwargs: Any) -> MainWindow:
    """A window that builds what its first frame does without on the turns after its paint."""
    window = MainWindow(build_later=True, **kwargs)
    window.show()
    window.activateWindow()
    window.start()
    return window


TURNS_TO_BUILD = 40  # more than the parts a window builds after its first paint


class PaintSeen(QObject):
    """`seen` once `widget` has painted."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.seen = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.seen = self.seen or event.type() == QEvent.Type.Paint
        return False


def _parts(window: MainWindow) -> list[tuple[str, str, str, bool]]:
    """Every widget of the window (class, name, accessible name, shown), in the order made."""
    return [
        (type(w).__name__, w.objectName(), w.accessibleName(), w.isVisibleTo(window))
        for w in window.findChildren(QWidget)
    ]


def _column(window: MainWindow) -> list[str]:
    column = window.panes.column
    items = (column.itemAt(index) for index in range(column.count()))
    return [type(item.widget()).__name__ for item in items if item is not None and item.widget()]


def _menus(window: MainWindow) -> list[tuple[str, ...]]:
    menus = [action.menu() for action in window.menuBar().actions()]
    return [
        (
            menu.title(),
            *(f"{a.text()} {a.shortcut().toString()} {a.isEnabled()}" for a in menu.actions()),
        )
        for menu in menus
        if isinstance(menu, QMenu)
    ]


def _tab_path(qtbot: QtBot, window: MainWindow, steps: int) -> list[str]:
    """Where Tab takes the keyboard focus, from the composer on, with the find bar open."""
    window.find_bar.open_bar()
    window.composer.focus_editor()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.composer.editor)
    path = []
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        path.append(f"{type(focused).__name__}:{focused.accessibleName()}" if focused else "")
    window.find_bar.close_bar()
    return path


def test_a_window_built_after_its_first_paint_ends_up_as_one_built_at_once(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    whole = MainWindow()
    later = _shown_later(qtbot)
    assert not later.building.done  # its first frame: the rest comes after the paint
    qtbot.waitUntil(lambda: later.building.done)
    whole.show()
    try:
        qtbot.waitUntil(lambda: _parts(later) == _parts(whole))  # once each is laid out
        assert _parts(later) == _parts(whole)
        assert _column(later) == _column(whole)
        assert _column(later) == [
            "ThreadHeader",
            "Greeting",
            "ReadOnlyBanner",
            "ConversationView",
            "FindBar",
            "Composer",
            "Suggestions",
        ]
        assert _menus(later) == _menus(whole)
        paths = []
        for window in (whole, later):
            window.attach(make_core().service)  # the sidebar's controls take the focus too
            window.start()
            qtbot.waitUntil(lambda w=window: _listed(w))
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow)
            paths.append(_tab_path(qtbot, window, 24))
        assert paths[1] == paths[0]
        # Tab goes down the window as it shows it, from the composer's buttons on: a new
        # chat's suggestions under them, the thread list, the find bar, the composer (made
        # first in a window built later, its place in the order is kept).
        stops = ("Chats", "Find in this thread", "Message")
        kinds, names = zip(*(step.split(":", 1) for step in paths[0]), strict=True)
        assert [name for name in names if name in stops][:3] == list(stops)
        assert kinds.index("SuggestionButton") < names.index("Chats")
    finally:
        for window in (whole, later):
            window.close()
            finish(window.aclose())
            window.deleteLater()


def test_a_window_destroyed_while_it_is_built_builds_nothing_more(qtbot: QtBot) -> None:
    """Its parts are built one a turn after its first paint: a window gone before then (closed
    within its first moments) leaves no turn behind that would build on what is gone."""
    window = _shown_later(qtbot)
    painted = PaintSeen(window)
    qtbot.waitUntil(lambda: painted.seen)
    assert not window.building.done  # a part is due on the next turn
    shiboken6.delete(window)
    turns: list[int] = []
    for turn in range(TURNS_TO_BUILD):  # as many turns as building the rest would take
        QTimer.singleShot(0, lambda turn=turn: turns.append(turn))
        qtbot.waitUntil(lambda turn=turn: turn in turns)
    # and no exception in the loop, which pytest-qt fails the test on: each part of a window
    # gone would have been built on widgets deleted with it


def test_a_window_shown_before_its_settings_are_read_reads_them_after_its_first_paint(
    qtbot: QtBot, finish: Any
) -> None:
    """The first frame is made with [general] and [ui] alone; every setting is read on a turn
    after its paint, once, and is what the window then runs with."""
    whole = Settings(
        general=GeneralSettings(default_provider="ollama", default_model="llama3.2"),
        ui=UiSettings(enter_sends=False),
        chat=ChatSettings(max_retries=4),
    )
    reads: list[bool] = []  # whether the window had painted when it read them

    def load() -> Settings:
        reads.append(paints.seen)
        return whole

    window = MainWindow(
        settings=SettingsLater(StartSettings(whole.general, whole.ui), load), build_later=True
    )
    paints = PaintSeen(window)
    try:
        assert reads == []  # the first frame: nothing else read yet
        assert "Ctrl+Enter" in window.composer.editor.placeholderText()
        picker = window.composer.findChild(QToolButton, "modelPicker")
        assert picker is not None
        assert "llama3.2" in picker.text()
        window.show()
        window.start()
        qtbot.waitUntil(lambda: window.building.done)
        assert reads == [True]
        assert window.settings.current is whole
    finally:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def test_what_is_typed_while_the_window_is_built_is_kept(qtbot: QtBot, finish: Any) -> None:
    window = _shown_later(qtbot)
    typed: list[tuple[str, bool]] = []  # each key, and whether the window was whole then

    def type_a_key() -> None:  # once per turn of the loop, between the window's parts
        if window.building.done and any(whole for _, whole in typed):
            keys.stop()
            return
        focused = QApplication.focusWidget()
        if focused is not None:
            letter = "abcdefghijklmnopqrstuvwxyz"[len(typed) % 26]
            qtbot.keyClicks(focused, letter)
            typed.append((letter, window.building.done))

    keys = QTimer(window, interval=0)
    keys.timeout.connect(type_a_key)
    keys.start()
    try:
        qtbot.waitUntil(lambda: not keys.isActive())
        assert sum(not whole for _, whole in typed) >= 3  # typed while the parts came in
        assert window.composer.text() == "".join(letter for letter, _ in typed)
        assert QApplication.focusWidget() is window.composer.editor
    finally:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def test_enter_pressed_while_the_window_is_built_waits_for_the_core_and_sends(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _shown_later(qtbot)
    editor = window.composer.editor  # the first frame's, with the keyboard focus
    qtbot.keyClicks(editor, "sent at once")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert not window.building.done  # pressed before the window is whole
    assert window.composer.text() == "sent at once"
    assert window.statusBar().currentMessage() == WAITING_TEXT
    qtbot.waitUntil(lambda: window.building.done)

    core = make_core()
    window.attach(core.service)

    try:
        qtbot.waitUntil(lambda: answered(window))
        assert window.composer.text() == ""
    finally:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def test_attaching_the_core_finishes_a_window_still_being_built(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    window = MainWindow(build_later=True)  # never shown: its parts wait for a paint
    core = make_core()
    try:
        window.attach(core.service)
        assert window.building.done
        assert window.splitter.widget(0) is window.sidebar
    finally:
        window.close()
        finish(window.aclose())
        window.deleteLater()


# -- the whole start: application.run ------------------------------------------------------------


class Steps(QObject):
    """Runs `(ready, act)` steps in order from a polling timer on the GUI thread, while
    `application.run` drives the loops (a test cannot wait inside it)."""

    def __init__(self, *steps: tuple[Callable[[], bool], Callable[[], None]]) -> None:
        super().__init__()
        self._steps = list(steps)
        self._timer = QTimer(self, interval=10)
        self._timer.timeout.connect(self._next)
        self._timer.start()

    @property
    def done(self) -> bool:
        return not self._steps

    def _next(self) -> None:
        if self._steps and self._steps[0][0]():
            self._steps.pop(0)[1]()
        if not self._steps:
            self._timer.stop()


def the_window() -> MainWindow | None:
    """The run's window: the one shown (an earlier test's may linger, closed, until its
    deletion is processed)."""
    windows = QApplication.topLevelWidgets()
    return next((w for w in windows if isinstance(w, MainWindow) and w.isVisible()), None)


def shown() -> bool:
    window = the_window()
    return window is not None and window.composer.editor.hasFocus()


def slow_core(gate: threading.Event) -> Callable[[Configuration], Core]:
    def build(config: Configuration) -> Core:
        if not gate.wait(CORE_WAIT_S):
            raise TimeoutError("the test never let the core open")
        return build_core(config)

    return build


def stored(call: Callable[[Core], Any]) -> Any:
    """Read what the last run left, through a core of its own."""

    async def read() -> Any:
        core = build_core(configure())
        await core.start()
        try:
            return await call(core)
        finally:
            await core.aclose()

    return asyncio.run(read())


@pytest.fixture
def app_run(qapp: QApplication) -> Iterator[Callable[..., int]]:
    """`app_run(build_core)`: `application.run` in this process; the app is left as found."""
    quits = qapp.quitOnLastWindowClosed()
    yield lambda build: run(configure(), build)
    qapp.setQuitOnLastWindowClosed(quits)
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.deleteLater()


def test_a_message_typed_while_the_core_opens_is_sent_and_the_list_fills_in(
    app_run: Any, qtbot: QtBot
) -> None:
    gate = threading.Event()

    def type_then_open_the_core() -> None:
        window = the_window()
        assert window is not None
        assert isinstance(window.splitter.widget(0), SidebarPlaceholder)
        type_and_send(qtbot, window, "typed at once")
        gate.set()

    def close() -> None:
        window = the_window()
        assert window is not None
        assert thread_titles(window) == ["typed at once"]
        window.close()

    steps = Steps(
        (shown, type_then_open_the_core),
        (lambda: (w := the_window()) is not None and answered(w) and bool(thread_titles(w)), close),
    )

    assert app_run(slow_core(gate)) == 0
    assert steps.done

    async def threads(core: Core) -> list[str]:
        page = await core.service.list_threads(ThreadFilter())
        return [thread.title for thread in page.threads]

    assert stored(threads) == ["typed at once"]


def test_closing_the_window_while_the_core_opens_exits_and_keeps_what_was_typed(
    app_run: Any, qtbot: QtBot
) -> None:
    gate = threading.Event()

    def type_close_then_open_the_core() -> None:
        window = the_window()
        assert window is not None
        qtbot.keyClicks(window.composer.editor, "not lost")
        window.close()
        gate.set()

    steps = Steps((shown, type_close_then_open_the_core))

    assert app_run(slow_core(gate)) == 0
    assert steps.done
    assert stored(lambda core: core.service.load_draft(None)) == DraftView("not lost")


def test_the_window_squeezed_right_after_its_first_show_keeps_its_minimum_size(
    app_run: Any,
) -> None:
    """A platform that does not hold a window to its size hints (X11 without a window manager)
    resizes it as asked, and Qt takes the size as given: the window puts its minimum back, from
    the first frame on, before the core is open (tests/ui/test_minimum_size_x11.py does the
    same on a real X server)."""
    gate = threading.Event()
    squeezed = QSize(320, 240)
    before_the_core: list[tuple[QSize, QSize]] = []

    def squeeze() -> None:
        window = the_window()
        assert window is not None
        handle = window.windowHandle()
        assert handle is not None
        handle.resize(squeezed)  # as the platform's resize comes: not bound by Qt's minimum
        assert handle.size() == squeezed

    def held() -> bool:
        window = the_window()
        handle = window.windowHandle() if window is not None else None
        return window is not None and handle is not None and handle.size() != squeezed

    def open_the_core_and_close() -> None:
        window = the_window()
        assert window is not None
        assert window._service is None
        before_the_core.append((window.size(), window.minimumSize()))
        gate.set()
        window.close()

    steps = Steps((lambda: the_window() is not None, squeeze), (held, open_the_core_and_close))
    assert app_run(slow_core(gate)) == 0
    assert steps.done
    [(size, minimum)] = before_the_core
    assert size.expandedTo(minimum) == size
    assert minimum.expandedTo(MINIMUM_SIZE) == minimum


def test_the_apps_icon_comes_once_the_window_is_built_after_its_first_paint(
    app_run: Any, qapp: QApplication
) -> None:
    """An SVG: it loads Qt's SVG plugin, which the first frame does without."""
    qapp.setWindowIcon(QIcon())
    icon_at_first_paint: list[bool] = []

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            painted = event.type() == QEvent.Type.Paint and isinstance(watched, MainWindow)
            if painted and not icon_at_first_paint:
                icon_at_first_paint.append(not QApplication.windowIcon().isNull())
            return False

    def built() -> bool:
        window = the_window()
        return window is not None and window.building.done

    def close() -> None:
        window = the_window()
        assert window is not None
        window.close()

    watcher = FirstPaint()
    qapp.installEventFilter(watcher)
    try:
        steps = Steps((built, close))
        assert app_run(build_core) == 0
    finally:
        qapp.removeEventFilter(watcher)
    assert steps.done
    assert icon_at_first_paint == [False]
    svg = package_data("resources") / "icons" / "chatdesk.svg"
    shown = QApplication.windowIcon().pixmap(32).toImage()
    assert not shown.isNull()
    assert shown == QIcon(str(svg)).pixmap(32).toImage()


def test_a_core_that_cannot_open_ends_the_run_with_its_reason(app_run: Any) -> None:
    def broken(config: Configuration) -> Core:
        raise ChatdeskError("the database is on a disk that went away")

    with pytest.raises(ChatdeskError, match="disk that went away"):
        app_run(broken)


# The local API's: loaded once it is switched on, never while it is off (test_local_api.py).
API_MODULES = ("chatdesk.api", "fastapi", "uvicorn", "starlette")

# Loaded on the worker thread after the window's first paint (docs/decisions/0009-start-up.md),
# or by the window's parts built on the turns right after it (decision 0024).
AFTER_FIRST_PAINT = (
    *("sqlalchemy", "alembic", "openai", "asyncio", "qasync", "chatdesk.ui.runner"),
    *("chatdesk.ui.conversation.view", "chatdesk.ui.find_bar", "chatdesk.ui.window.models"),
    *("chatdesk.ui.composer.slash", "chatdesk.ui.composer.attachments"),
    *("chatdesk.ui.sidebar.snapshot", "uuid", "json"),
    *("chatdesk.core.config", "chatdesk.core.settings_schema"),  # read once the window is up
    # The providers' protocol (its dataclasses: ~15 ms), the message kinds, the summary divider.
    *("chatdesk.core.providers.base", "chatdesk.core.kinds", "chatdesk.ui.conversation.divider"),
    *API_MODULES,
)


def test_the_window_paints_before_the_core_and_asyncio_are_loaded() -> None:
    """Everything the window imports to show itself leaves these to the core's thread."""
    probe = (
        "import sys; import chatdesk.launch, chatdesk.app, chatdesk.ui.application; "
        f"print(sorted(m for m in {AFTER_FIRST_PAINT!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = result.stdout.strip()
    assert loaded == "[]", (
        f"{loaded} would load before the window's first paint; import them where they are "
        "used once the core is open (as MainWindow.attach does)"
    )


# Not in the window's first frame either: made on a turn after its paint (its other parts, the
# menus of ticks of Tools, Knowledge and Compare, reading every setting) or on first use (the
# model picker, the composer's "+" menu and its chips, Connect a model, Help, the settings'
# pages, the model catalogue and discovery).
FIRST_FRAME_WITHOUT = (
    *AFTER_FIRST_PAINT,
    *("chatdesk.ui.composer.ticks", "chatdesk.ui.composer.model_menu", "logging.handlers"),
    *("chatdesk.ui.window.connecting", "chatdesk.ui.connect", "chatdesk.ui.window.help"),
    *("chatdesk.ui.help", "chatdesk.ui.settings", "chatdesk.ui.window.assistant_choice"),
    *("chatdesk.core.chat.catalog", "chatdesk.core.providers.catalogue"),
    *("chatdesk.core.providers.discovery", "chatdesk.ui.conversation.model"),
    *("chatdesk.ui.composer.web_switch", "chatdesk.ui.window.web_choice"),
    *("chatdesk.ui.composer.plus_menu", "chatdesk.ui.composer.chips"),
    *("chatdesk.ui.composer.chip_words", "chatdesk.ui.composer.assistant_menu"),
)


def test_the_windows_first_frame_is_made_without_what_it_does_not_show() -> None:
    """The window as `application.run` makes it, up to its first frame: built later, with the
    settings of that frame alone."""
    probe = (
        "import sys; import chatdesk.launch, chatdesk.app, chatdesk.ui.application; "
        "from chatdesk.core.settings_start import StartSettings; "
        "from chatdesk.ui.main_window import MainWindow; "
        "from chatdesk.ui.theme import apply_theme, new_application; "
        "from chatdesk.ui.window.settings import SettingsLater; "
        "app = new_application(sys.argv); apply_theme(app, 'system'); "
        "later = SettingsLater(StartSettings(), lambda: None); "
        "window = MainWindow(settings=later, build_later=True); window.show(); "
        "assert not window.building.done; "
        f"print(sorted(m for m in {FIRST_FRAME_WITHOUT!r} if m in sys.modules))"
    )
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c", probe]
    result = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=60, env=environment
    )
    loaded = result.stdout.strip()
    assert loaded == "[]", (
        f"{loaded} would load before the window's first paint; make the part that needs them "
        "on a turn after it (chatdesk/ui/window/later.py) or on first use"
    )


def test_the_app_starts_in_the_fusion_style_without_loading_pyside6s_style_class() -> None:
    """Fusion named on Qt's command line: `setStyle` would load PySide6's QStyle class (~5 ms)
    before the window's first paint."""
    probe = (
        "import sys; from PySide6 import QtWidgets; "
        "from chatdesk.ui.theme import apply_theme, new_application; "
        "app = new_application(sys.argv); apply_theme(app, 'system'); "
        "loaded = 'QStyle' in vars(QtWidgets); "
        "app.setStyleSheet(''); "  # the style under the app's sheet
        "print(loaded, app.style().name())"
    )
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=environment,
    )
    assert result.stdout.split() == ["False", "fusion"]


def _listed(window: MainWindow) -> bool:
    """The core is attached and its list has read its first page."""
    return hasattr(window, "sidebar") and not window.sidebar.model.loading


def _kept_placeholder() -> SidebarPlaceholder | None:
    """The placeholder showing kept rows, in whichever window has one (an earlier test's
    window may linger until its deletion is processed)."""
    for window in QApplication.topLevelWidgets():
        side = window.splitter.widget(0) if isinstance(window, MainWindow) else None
        if isinstance(side, SidebarPlaceholder) and side.tree is not None:
            return side
    return None


def _kept_titles(placeholder: SidebarPlaceholder) -> list[str]:
    tree = placeholder.tree
    assert tree is not None
    model = tree.model()
    return [
        model.index(row, 0, model.index(group, 0)).data()
        for group in range(model.rowCount())
        for row in range(model.rowCount(model.index(group, 0)))
    ]


def test_the_next_start_shows_the_threads_of_the_last_before_its_core_is_open(
    app_run: Any, qtbot: QtBot
) -> None:
    def first_run_close() -> None:
        window = the_window()
        assert window is not None
        window.close()

    def send_first() -> None:
        window = the_window()
        assert window is not None
        type_and_send(qtbot, window, "kept across runs")

    opened = threading.Event()
    opened.set()
    first = Steps(
        (shown, send_first),
        (lambda: (w := the_window()) is not None and answered(w) and _listed(w), first_run_close),
    )
    assert app_run(slow_core(opened)) == 0
    assert first.done

    gate = threading.Event()
    seen: list[list[str]] = []

    def look_then_open_the_core() -> None:
        placeholder = _kept_placeholder()
        assert placeholder is not None
        assert not placeholder.status.isVisible()  # no "Opening your chats…" over the rows
        seen.append(_kept_titles(placeholder))
        gate.set()

    def close() -> None:
        window = the_window()
        assert window is not None
        assert thread_titles(window) == ["kept across runs"]  # the live list took over
        window.close()

    def widen() -> None:
        # The offscreen screen is 800 px wide: the window opens as narrow, its sidebar folded
        # away (nothing to draw there); on a wider one the sidebar shows.
        window = the_window()
        assert window is not None
        window.resize(1100, 740)

    steps = Steps(
        (shown, widen),
        (lambda: _kept_placeholder() is not None, look_then_open_the_core),
        (lambda: (w := the_window()) is not None and bool(thread_titles(w)), close),
    )
    assert app_run(slow_core(gate)) == 0
    assert steps.done
    assert seen == [["kept across runs"]]


def test_a_damaged_kept_thread_list_is_ignored(app_run: Any, qtbot: QtBot) -> None:
    from chatdesk.ui.sidebar import snapshot
    from chatdesk.ui.sidebar.roles import GroupKind

    kept = configure().thread_list.path
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(b'{"version": 2, "groups": [{"kind": "nonsense"')
    gate = threading.Event()
    looked: list[bool] = []

    def look_then_open_the_core() -> None:
        window = the_window()
        assert window is not None
        placeholder = window.splitter.widget(0)
        assert isinstance(placeholder, SidebarPlaceholder)
        looked.append(placeholder.tree is None and placeholder.status.isVisible())
        gate.set()

    def close() -> None:
        window = the_window()
        assert window is not None
        window.close()

    def built() -> bool:  # the kept rows are read on a turn after the first paint
        window = the_window()
        return window is not None and shown() and window.building.done

    steps = Steps(
        (built, look_then_open_the_core),
        (lambda: (w := the_window()) is not None and _listed(w), close),
    )
    assert app_run(slow_core(gate)) == 0
    assert steps.done
    assert looked == [True]
    # Rewritten at the close, read back: the list of no chats, its Projects heading alone.
    kept_now = snapshot.decoded(configure().thread_list.read())
    assert kept_now is not None
    assert [group.kind for group in kept_now] == [GroupKind.PROJECTS]


def test_the_gil_is_handed_over_sooner_only_while_the_core_opens(
    app_run: Any, qtbot: QtBot
) -> None:
    default = sys.getswitchinterval()
    assert default != GIL_HANDOVER_S
    seen: dict[str, float] = {}

    def build(config: Configuration) -> Core:
        seen["opening"] = sys.getswitchinterval()
        return build_core(config)

    def close() -> None:
        seen["attached"] = sys.getswitchinterval()
        window = the_window()
        assert window is not None
        window.close()

    steps = Steps((lambda: (w := the_window()) is not None and hasattr(w, "sidebar"), close))

    assert app_run(build) == 0
    assert steps.done
    assert seen == {"opening": GIL_HANDOVER_S, "attached": default}
    assert sys.getswitchinterval() == default


def test_with_the_api_off_the_whole_run_loads_none_of_it(tmp_path: Any) -> None:
    """The window opened, its core attached, then closed as a user closes it: the local API,
    off, cost nothing (its modules come only when it is switched on)."""
    probe = (
        "import sys; from chatdesk.app import build_core; "
        "from chatdesk.configuration import configure; "
        "from chatdesk.ui.application import run; "
        "code = run(configure(), build_core); "
        f"print('loaded:', sorted(m for m in {API_MODULES!r} if m in sys.modules)); "
        "sys.exit(code)"
    )
    lines = window_run(probe, tmp_path / "home")
    assert "loaded: []" in lines, f"{lines}: the local API loaded while it was off"
