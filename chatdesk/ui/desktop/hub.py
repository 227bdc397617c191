"""What the running chatdesk offers the ways in from outside its window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent

from chatdesk.core.i18n import tr

if TYPE_CHECKING:  # the first frame loads this module: nothing more than it needs
    import asyncio
    import uuid

    from chatdesk.core.config import Settings
    from chatdesk.core.handover import Request
    from chatdesk.core.service import ChatService
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.ui.desktop.close_to_tray import CloseToTray
    from chatdesk.ui.desktop.instance import Instance
    from chatdesk.ui.desktop.notices import Notices
    from chatdesk.ui.desktop.shortcut import GlobalShortcut
    from chatdesk.ui.desktop.tray import Tray
    from chatdesk.ui.main_window import MainWindow
    from chatdesk.ui.quick.asking import QuickAsk


TRAY_WAIT_MS = 15_000  # started in the tray: how long a panel may take to come at login


class DesktopCore(Protocol):
    """What the desktop's parts need of the core: its events, and team sync to pause."""

    @property
    def service(self) -> ChatService: ...

    @property
    def team(self) -> TeamSync: ...


class Desktop(QObject):
    """The running chatdesk, as a second start, the shortcut, the tray and links ask it.

    What a second start asks before the core is attached waits for it (in the order asked),
    except showing the window."""

    ended = Signal()  # Quit was chosen and the window closed: chatdesk ends

    def __init__(
        self, window: MainWindow, core: DesktopCore | None = None, instance: Instance | None = None
    ) -> None:
        super().__init__(window)
        self._window = window
        self._waiting: list[Request] = []  # asked before the core was attached
        self._attached = False
        self._tray_start = False  # started in the tray (`--tray`): hidden until asked for
        self._shown = False
        self.instance = instance  # this data folder's one chatdesk, when started as it
        if instance is not None:
            instance.received.connect(self.hand)
            instance.listen_after(window.building.finished)
            app = QCoreApplication.instance()
            if sys.platform == "darwin" and app is not None:  # links come as file-open events
                app.installEventFilter(self)
        self.quick: QuickAsk | None = None  # the quick window, made when first asked for
        self._core = core
        self._sync_paused = False
        self.quitting = False  # Quit was chosen: the window's close ends chatdesk
        self._login: bool | None = None  # [desktop] start_at_login as last applied
        self.tray: Tray | None = None
        self.close_to_tray: CloseToTray | None = None
        self.notices: Notices | None = None
        self.shortcut: GlobalShortcut | None = None  # the keys that ask quick_ask() (start())
        self._shortcut_closed: GlobalShortcut | None = None  # let go of, the desktop told later

    # -- what the ways in ask --------------------------------------------------------------------

    def hand(self, request: Request) -> None:
        """Do what a start asked (`chatdesk --show`, `--quick`, `--open`, `--tray`)."""
        if request.kind == "show":
            self.show_window()
        elif request.kind == "tray":  # asked to be where it is, or started there
            self._tray_start = self._tray_start or not self._window.isVisible()
        elif not self._attached:
            self._waiting.append(request)
        elif request.kind == "quick":
            self.quick_ask()
        elif request.kind == "link":
            self.open_link(request.argument)
        elif request.kind == "import":
            self.open_import(Path(request.argument))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QFileOpenEvent) and event.url().scheme().lower() == "chatdesk":
            from chatdesk.core.handover import Request

            self.hand(Request("link", event.url().toString()))
            return True
        return super().eventFilter(watched, event)

    @property
    def in_tray(self) -> bool:
        """Started in the tray and not shown since: hidden on purpose, not closed."""
        return self._tray_start and not self._shown

    def open_link(self, url: str) -> None:
        """Follow a `chatdesk:` link in the window (chatdesk/core/trust/app_links.py)."""
        from chatdesk.ui.desktop.asked import follow_link

        self.show_window()
        if self._core is not None:
            follow_link(self._window, self._core.service, url)

    def open_import(self, path: Path) -> None:
        """Offer to import the chats in `path`, as File ▸ Import does."""
        from chatdesk.ui.desktop.asked import offer_import

        self.show_window()
        offer_import(self._window, path)

    def show_window(self) -> None:
        """The main window, shown in front (un-minimised, raised, focused)."""
        window = self._window
        self._shown = True
        state = window.windowState() & ~Qt.WindowState.WindowMinimized
        window.setWindowState(state | Qt.WindowState.WindowActive)
        window.show()
        window.raise_()
        window.activateWindow()

    def quick_ask(self) -> None:
        """The quick window, shown in front with its question focused (made on first use:
        start-up does not pay for it). Asked before the core is attached: the main window
        instead, which takes typing until then."""
        if getattr(self._window, "runner", None) is None:
            self.show_window()
            return
        if self.quick is None:
            self.quick = self._make_quick()
        self.quick.present()

    def quick_shows(self, thread_id: uuid.UUID) -> bool:
        """Whether the quick window is on screen with the chat `thread_id` in it."""
        return self.quick is not None and self.quick.shows(thread_id)

    def _make_quick(self) -> QuickAsk:
        from chatdesk.ui.quick.asking import QuickAsk

        window = self._window
        return QuickAsk(
            window.switch.saved,  # the saved chats' service, whatever the window shows
            window.runner,
            lambda: window.settings.current,
            window.temporary.make,
            self.open_chat,
            self._adopt,
            window.formatter,
        )

    def _adopt(self, chats: TemporaryChats, thread_id: uuid.UUID) -> None:
        self.show_window()
        self._window.temporary.adopt(chats, thread_id)

    def new_chat(self) -> None:
        """The window shown on a new chat, its composer focused."""
        self.show_window()
        self._window.new_chat()

    def open_chat(self, thread_id: object) -> None:
        """The window shown on the chat `thread_id` (a notification was clicked)."""
        self.show_window()
        self._window.show_thread(thread_id)

    def quit(self) -> None:
        """End chatdesk: the window closes as File ▸ Quit closes it (keeping drafts, asking
        first about a temporary chat), even while hidden in the tray."""
        self.quitting = True
        if self._window.close():
            self.ended.emit()
        else:  # it asks something first: in front, so that the question is seen
            self.show_window()

    # -- team sync -------------------------------------------------------------------------------

    @property
    def team_sync_set_up(self) -> bool:
        return self._core is not None and self._core.team.configured

    @property
    def team_sync_paused(self) -> bool:
        return self._sync_paused

    def pause_team_sync(self, paused: bool) -> asyncio.Task[Any] | None:
        """Stop (or start again) team sync's exchanges with the server for this run; what
        changes meanwhile waits in the outbox. The stop (or start), off the GUI thread."""
        if self._core is None or paused == self._sync_paused or not self.team_sync_set_up:
            return None
        team, runner = self._core.team, self._window.runner
        self._sync_paused = paused
        said = tr("Team sync paused.") if paused else tr("Team sync resumed.")
        self._window.statusBar().showMessage(said, 8_000)
        return runner.run(runner.off_thread(team.stop if paused else team.start), quiet=True)

    # -- starting and stopping -------------------------------------------------------------------

    def start(self, core: DesktopCore | None = None) -> None:
        """Once the core is attached: the parts that listen for the user outside the window,
        and what a second start asked meanwhile."""
        from chatdesk.ui.desktop.close_to_tray import CloseToTray
        from chatdesk.ui.desktop.notices import Notices
        from chatdesk.ui.desktop.shortcut import GlobalShortcut

        self._core = core or self._core
        settings = self._window.settings
        self.shortcut = GlobalShortcut(self)
        self.shortcut.pressed.connect(self.quick_ask)
        settings.dialog_made.append(self.shortcut.tell_preferences)
        self.close_to_tray = CloseToTray(self._window, self)
        if self._core is not None:
            self.notices = Notices(self._window, self, self._core.service.events, parent=self)
        self._follow(settings.current, start=True)
        settings.followers.append(self._follow)
        self._attached = True
        self._tray_or_window()
        waiting, self._waiting = self._waiting, []
        for request in waiting:
            self.hand(request)

    def _tray_or_window(self, *, waited: bool = False) -> None:
        """Started in the tray with no tray to hold the icon: the window, not chatdesk running
        unseen. At once where no tray can come; else once a panel started after chatdesk (at
        login) had `TRAY_WAIT_MS` to take the icon in."""
        from chatdesk.ui.desktop.tray import tray_may_come

        tray = self.tray
        if not self.in_tray or (tray is not None and tray.shown):
            return
        if tray is not None and tray_may_come() and not waited:
            QTimer.singleShot(TRAY_WAIT_MS, self, lambda: self._tray_or_window(waited=True))
        else:
            self.show_window()

    def close(self) -> None:
        """Before the core closes: no more requests from second starts, and the keys are the
        other programs' again."""
        if self.instance is not None:
            self.instance.close()
        if self.shortcut is not None:
            self._window.settings.dialog_made.remove(self.shortcut.tell_preferences)
            self.shortcut.close()
            self._shortcut_closed, self.shortcut = self.shortcut, None
        if self.notices is not None:
            self.notices.close()
        if self.tray is not None:
            self.tray.close()
            self.tray = None

    async def aclose(self) -> None:
        """Before the window's work closes: the quick window's temporary chats go, and the
        desktop's portal is told that the shortcut's session ends."""
        if self._shortcut_closed is not None:
            await self._shortcut_closed.aclose()
        if self.quick is not None:
            await self.quick.aclose()

    def _follow(self, settings: Settings, *, start: bool = False) -> None:
        """The [desktop] settings in use: the tray shown or not, the login item made or
        removed (at start-up, made again: the install may have moved)."""
        desktop = settings.desktop
        if self.shortcut is not None:
            self.shortcut.apply(desktop.quick_shortcut)
        wanted = desktop.tray
        if wanted and self.tray is None:
            from chatdesk.ui.desktop.tray import Tray

            self.tray = Tray(self, parent=self)
        elif not wanted and self.tray is not None:
            self.tray.close()
            self.tray = None
        if self.close_to_tray is not None:
            self.close_to_tray.enabled = desktop.close_to_tray
        if self.notices is not None:
            self.notices.enabled = desktop.notify
        login, self._login = self._login, desktop.start_at_login
        if desktop.start_at_login if start else desktop.start_at_login != login:
            self._apply_login_item(desktop.start_at_login)

    def _apply_login_item(self, enabled: bool) -> None:
        from chatdesk.core import login_item

        runner = self._window.runner
        runner.run(runner.off_thread(login_item.apply, enabled))
