"""Starting and stopping the window, in two phases, so it paints before the core is open.

1. Qt only. The window is built and shown with a placeholder sidebar and only what its first
   frame shows; it paints, and the composer takes typing. The rest of the window is built on
   the turns of Qt's loop right after (`MainWindow(build_later=True)`), then a worker thread
   builds the core (`core_loader.py`): that imports SQLAlchemy, asyncio and the service and
   opens (maybe migrates) the database, a few hundred milliseconds the window does not wait
   for. When the core is built, Qt's loop is left.
2. asyncio inside Qt (qasync). The core is started and attached to the window: the thread
   list fills in, and a message sent meanwhile goes out.

Shutdown never relies on Qt quitting the loop: closing the last window (or Ctrl+Q) sets an
asyncio.Event; `_main` then closes the window's work and the core (stopping answers, keeping
their partial text) and returns, which ends the loop. A window closed while the core is still
opening waits for it, so what was typed is kept as the draft.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.logs import LOG_FILE
from chatdesk.core.package_data import package_data
from chatdesk.core.paths import Paths
from chatdesk.ui import exit_after_start, language
from chatdesk.ui.core_loader import load_core
from chatdesk.ui.crash import CrashReporter, collect_garbage_again, report_loop_error
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.desktop.instance import claim
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_singleton_refcounts
from chatdesk.ui.theme import apply_theme, new_application
from chatdesk.ui.window.settings import SettingsLater
from chatdesk.ui.window.voice_lists import fill_voice_lists

if TYPE_CHECKING:
    from chatdesk.core.config import Settings
    from chatdesk.core.extras import Extras
    from chatdesk.core.handover import Request
    from chatdesk.core.kept_file import KeptFile
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.render.kept import KeptRenders
    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.core.search import Search
    from chatdesk.core.secrets import KeyStore, SessionKeys
    from chatdesk.core.service import ChatService
    from chatdesk.core.settings_start import StartSettings, UiSettings
    from chatdesk.core.store.backups import Backups
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.core.transfer import Transfer
    from chatdesk.core.voice.speaking import Speaking
    from chatdesk.core.voice.transcribe import Voice
    from chatdesk.ui.sidebar.snapshot import GroupRow

log = logging.getLogger("chatdesk.ui")
PRUNE_KEPT_AFTER = 60.0  # seconds after start-up: out of the way of opening the first threads


# What the window needs of `chatdesk.configuration.Configuration` and `chatdesk.app.Core`.
# Described here, not imported, because the UI layer sits below both (see the import-linter
# contracts).
class AppConfig(Protocol):
    @property
    def paths(self) -> Paths: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def thread_list(self) -> KeptFile: ...  # the sidebar's rows, kept for the next start


class AppCore(Protocol):
    @property
    def config(self) -> AppConfig: ...

    @property
    def keys(self) -> KeyStore | SessionKeys: ...  # the keyring (the local API's key)

    @property
    def service(self) -> ChatService: ...

    @property
    def profiles(self) -> ProviderManager: ...

    @property
    def backups(self) -> Backups: ...

    @property
    def search(self) -> Search: ...

    @property
    def transfer(self) -> Transfer: ...  # made on first use: read it only when needed

    @property
    def team(self) -> TeamSync: ...

    @property
    def renderer(self) -> RenderWorker: ...  # made on first use, shared with HTML export

    @property
    def kept_renders(self) -> KeptRenders: ...  # made on first use (`_kept_renders`)

    async def temporary(self, settings: Settings) -> TemporaryChats: ...

    @property
    def voice(self) -> Voice: ...  # made on first use: read it only when needed

    @property
    def speaking(self) -> Speaking: ...  # made on first use: read it only when needed

    @property
    def extras(self) -> Extras: ...  # made on first use: the extras' state and install

    async def start(self) -> None: ...

    def start_maintenance(self) -> None: ...

    def watch_outside(self) -> None: ...

    async def aclose(self) -> None: ...


ConfigT = TypeVar("ConfigT", bound=AppConfig)
ConfigT_co = TypeVar("ConfigT_co", bound=AppConfig, covariant=True)


class AppStart(Protocol[ConfigT_co]):
    """What the window starts with (`chatdesk.configuration.WindowStart`, or a `Configuration` read
    already): the settings of its first frame, and the whole configuration once asked."""

    @property
    def paths(self) -> Paths: ...

    @property
    def first_frame(self) -> StartSettings: ...

    def configure(self) -> ConfigT_co: ...

    @property
    def thread_list(self) -> KeptFile: ...  # the sidebar's rows the last run kept

    def save_settings(self, settings: Settings) -> None: ...  # blocking: the window's Runner


def attach_core(window: MainWindow, core: AppCore, kept: KeptRenders | None = None) -> None:
    """Give `window` the started `core`: its service and every part of it the window serves."""
    window.attach(
        core.service,
        profiles=core.profiles,
        backups=core.backups,
        data_folder=core.config.paths.data_dir,
        log_folder=core.config.paths.log_dir,
        search=core.search,
        transfer=lambda: core.transfer,
        team=core.team,
        kept_renders=kept,
        renderer=core.renderer,
    )
    window.temporary.make = core.temporary
    window.dictation.voice = lambda: core.voice  # the microphone (voice loads on first use)
    window.dictation.place()
    window.talking.voice = lambda: core.voice  # the voice conversation, beside the microphone
    window.talking.settings = lambda: window.settings.current.voice
    window.talking.place(window.panes.column)
    reading = window.actions_.reading  # Read aloud, through the core's voice (made on first use)
    reading.speaking = lambda: core.speaking
    reading.voice = lambda: window.settings.current.voice
    window.settings.dialog_made.append(  # Preferences ▸ Voice's microphones and voices
        lambda dialog: fill_voice_lists(
            dialog.voice, window.runner, lambda: core.voice, lambda: core.speaking
        )
    )
    window.settings.dialog_made.append(  # and the offer of local speech's runtime
        lambda dialog: dialog.voice.offer_runtime(window.runner, lambda: core.extras)
    )
    window.settings.dialog_made.append(  # and of drawing formulas (Appearance)
        lambda dialog: dialog.appearance.offer_formulas(window.runner, lambda: core.extras)
    )
    # Over the messages: the first with formulas shown as source offers to draw them, once;
    # the offer is made then (most runs never show it).
    window.formatter.formulas_missing.connect(
        _formulas_offer(window, core), Qt.ConnectionType.SingleShotConnection
    )
    # The local API on the window's loop while Preferences ▸ Local API has it on.
    window.settings.serve_api(core, core.keys, window.statusBar())
    # The first start offers to connect a model, unless the offline demo was chosen before.
    window.connecting.offer_at_start(core.config.settings.ui.offline_demo)


def _formulas_offer(window: MainWindow, core: AppCore) -> Callable[[], None]:
    def offer() -> None:
        from chatdesk.ui.window.formulas_offer import FormulasOffer

        made = FormulasOffer(  # a widget of the window's column, which keeps it
            window.panes.column,
            window.formatter,
            window.view.refresh_all,
            window.runner,
            lambda: core.extras,
        )
        made.missing()  # this first time; the next come to it from the formatter

    return offer


def run(
    start: AppStart[ConfigT],
    build_core: Callable[[ConfigT], AppCore],
    request: Request | None = None,
    where: str = "",
) -> int:
    """Show the window until it is closed; app.py calls this as `run(start, build_core)`. The
    whole configuration is read on the first turn after the window's first paint (or by the
    core's thread, if that comes first): `start.configure()`. With `request`, as the data
    folder's one chatdesk (chatdesk/ui/desktop/instance.py), doing what it asks."""
    protect_singleton_refcounts()
    app = _application(start.first_frame.ui)
    previous_hook = sys.excepthook
    sys.excepthook = CrashReporter(start.paths.log_dir / LOG_FILE)
    instance = None if request is None else claim(start.paths, where, request)
    if isinstance(instance, int):  # handed over to the one that won the lock
        return instance
    try:
        window = _window(start)
        desktop = Desktop(window, instance=instance)
        _set_icon_once_built(app, window)
        if exit_after_start.wanted():  # smoke tests (packaging/smoke.py)
            exit_after_start.ExitAfterStart(window)
        if request is None or request.kind != "tray":
            window.show()
        window.start()
        if request is not None:
            desktop.hand(request)
        core = load_core(app, window, lambda: build_core(start.configure()), start.paths)
        if core is None:  # the database is damaged and the user chose to quit
            return 1
        return _run_with_core(app, window, core, desktop)
    except ChatdeskError as error:
        # No loop runs any more, so a modal box is safe here; the CLI prints it as well.
        log.error("chatdesk could not run: %s", error)
        if app.platformName() != "offscreen":  # headless runs must not wait for a click
            from PySide6.QtWidgets import QMessageBox

            collect_garbage_again()

            QMessageBox.critical(None, "chatdesk", str(error))
        raise
    finally:
        sys.excepthook = previous_hook
        if instance is not None:
            instance.release()


def _application(ui: UiSettings) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else new_application(sys.argv)
    app.setApplicationName("chatdesk")
    # Wayland compositors match windows to their .desktop entry (and icon) by this id.
    app.setDesktopFileName("io.github.chatdesk.Chatdesk")
    app.setQuitOnLastWindowClosed(False)
    language.start(app, ui.language)
    apply_theme(app, ui.theme, ui.font_size, ui.zoom)
    return app


def _set_icon_once_built(app: QApplication, window: MainWindow) -> None:
    """The app's icon (its windows' and dialogs') once `window`, built later (`_window`), has
    built its parts: an SVG, it loads Qt's SVG plugin, which the first frame does without (its
    icons wait too)."""

    def set_icon() -> None:
        app.setWindowIcon(QIcon(str(package_data("resources") / "icons" / "chatdesk.svg")))

    window.building.finished.connect(set_icon)


def _window(start: AppStart[AppConfig]) -> MainWindow:
    paths = start.paths
    window = MainWindow(
        settings=SettingsLater(start.first_frame, lambda: start.configure().settings),
        save_settings=start.save_settings,
        state_file=paths.config_dir / "window.ini",
        build_later=True,
    )
    window.panes.read_kept(lambda: _kept_rows(start.thread_list))
    return window


def _kept_rows(kept: KeptFile) -> list[GroupRow] | None:
    """The thread rows the last run kept (read after the window's first paint, before there is
    a loop to wait on: a small local file, as the settings of the first frame)."""
    from chatdesk.ui.sidebar import snapshot

    return snapshot.decoded(kept.read())


def _run_with_core(app: QApplication, window: MainWindow, core: AppCore, desktop: Desktop) -> int:
    """Phase 2: asyncio inside Qt until the window is closed and everything is shut down."""
    import qasync  # here: it and asyncio are loaded by now, by the core

    collect_garbage_again()  # build_core froze what it made
    code: int = qasync.run(_main(app, window, core, desktop))
    return code


async def _main(app: QApplication, window: MainWindow, core: AppCore, desktop: Desktop) -> int:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(report_loop_error)
    # `asyncio.to_thread`'s work (the disk's free space, a file read) on threads made as it
    # needs them, as asyncio's own loop does: qasync's default starts ten threads at its first
    # call and keeps them all for the whole run (~0.4 MB).
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="chatdesk-blocking"))
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    if not window.isVisible() and not desktop.in_tray:  # closed while the core was opening
        closed.set()
    kept = _kept_renders(core)
    desktop.ended.connect(closed.set)  # Quit while the window is hidden in the tray
    pruning = asyncio.ensure_future(_prune_kept_renders(kept, core.service))
    try:
        await core.start()
        core.start_maintenance()  # the daily backup and purge, behind the window
        # Also when closed meanwhile: the draft is kept through it.
        attach_core(window, core, kept)
        core.watch_outside()  # what other processes write, shown as it comes (after attaching)
        desktop.start(core)
        await closed.wait()
    finally:
        desktop.close()
        await desktop.aclose()  # the quick window and its temporary chats
        await _keep_thread_list(window, core.config.thread_list)
        pruning.cancel()
        if hasattr(window, "dictation"):  # attached: a recording may be under way
            await window.talking.aclose()
            await window.dictation.aclose()

        if hasattr(window, "actions_"):  # attached: a reading may be under way
            await window.actions_.reading.aclose()
        await window.aclose()
        await asyncio.to_thread(kept.close)  # what was formatted last is written first
        await core.aclose()
    return 0


def _kept_renders(core: AppCore) -> KeptRenders:
    """Formatting kept across runs, in the cache folder; what it holds of a message goes when
    the message is deleted."""
    from chatdesk.core.chat.events import Event, MessagesDeleted

    kept = core.kept_renders
    kept.open_soon()  # while the core opens: ready for the first page shown

    def forget_deleted(event: Event) -> None:
        if isinstance(event, MessagesDeleted):
            kept.submit(kept.forget, event.message_ids)

    core.service.events.subscribe(forget_deleted)
    return kept


async def _prune_kept_renders(kept: KeptRenders, service: ChatService) -> None:
    """A while after start-up, forget the kept formatting of messages deleted meanwhile by
    other means (the command line, the trash emptied, a restored backup)."""
    import asyncio

    await asyncio.sleep(PRUNE_KEPT_AFTER)
    ids = await asyncio.wrap_future(kept.submit(kept.message_ids))
    there = await service.existing_messages(ids)
    kept.submit(kept.forget, [message_id for message_id in ids if message_id not in there])


async def _keep_thread_list(window: MainWindow, kept: KeptFile) -> None:
    """The sidebar's rows, for the next start to show before its core is open. Nothing here
    may keep the window and the core from closing (they keep drafts and answers)."""
    from chatdesk.ui.sidebar import snapshot

    try:
        sidebar = getattr(window, "sidebar", None)  # made when the core was attached
        if sidebar is not None and not sidebar.model.loading:
            rows = snapshot.encoded(sidebar.kept_rows())
            await window.runner.run(kept.write(rows), quiet=True)
    except Exception:  # a convenience for the next start, never worth losing a draft over
        log.exception("the thread list was not kept for the next start")
