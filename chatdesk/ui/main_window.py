"""The main window: the thread sidebar, then the header, conversation, find bar and composer.

Widgets never touch the database, files or the network: every `ChatService` call goes through
the window's `Runner`, and changes arrive as service events that the window routes to its parts
(`chatdesk/ui/window/`: menus, drafts, sending, the model choice, the gauge, settings, window
state and the status bar's words).

The window can be built and shown before the core is open (decision 0009): until
`attach(service)` the sidebar is a placeholder and the composer takes typing; a message sent
meanwhile waits in the composer and goes out once the service is attached. With `build_later`
its first frame has the header, composer and placeholder; the rest is built on the turns of
Qt's loop right after its first paint (`window/later.py`). The window's parts and their places
are `window/layout.py`'s; the parts made with the service, `window/attached.py`'s.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication

from chatdesk.ui.column import measure_of
from chatdesk.ui.header import thread_title
from chatdesk.ui.theme import ThemeWatcher
from chatdesk.ui.window.attached import AttachedParts
from chatdesk.ui.window.ids import is_id
from chatdesk.ui.window.later import BuiltLater
from chatdesk.ui.window.menus import unavailable
from chatdesk.ui.window.sending import WAITING_TEXT
from chatdesk.ui.window.settings import SaveSettings, SettingsLater
from chatdesk.ui.window.state import WindowState
from chatdesk.ui.window.style import window_style

__all__ = ["WAITING_TEXT", "MainWindow"]


# Loaded with the core, behind the first paint: the service (SQLAlchemy), its views and events,
# asyncio (the Runner, the render worker) and the parts of the window that need them. The few
# methods that build views or match events import them where they run: only after attach().
if TYPE_CHECKING:
    import uuid

    from PySide6.QtGui import QCloseEvent

    from chatdesk.core.chat import events as ev
    from chatdesk.core.config import Settings
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.render.kept import KeptRenders
    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.core.search import Search
    from chatdesk.core.service import ChatService
    from chatdesk.core.store.backups import Backups
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.views import ThreadView, Turn
    from chatdesk.ui.connect.page import FindServers
    from chatdesk.ui.transfer.actions import TransferFactory


class MainWindow(AttachedParts):
    service_attached = Signal()  # the thread list is in place and messages can be sent

    def __init__(
        self,
        service: ChatService | None = None,
        *,
        settings: Settings | SettingsLater | None = None,
        save_settings: SaveSettings | None = None,
        renderer: RenderWorker | None = None,
        state_file: Path | None = None,
        search: Search | None = None,
        transfer: TransferFactory | None = None,
        build_later: bool = False,
    ) -> None:
        """Without `service`, a window that paints and takes typing until `attach(service)`;
        `search` and `transfer` are given to `attach` with it. `build_later`: what the first
        frame does without is built on the turns after the first paint (`building`), and
        `SettingsLater` settings are read then. Without `settings`, the defaults."""
        super().__init__()
        self._service: ChatService | None = None
        self._renderer = renderer  # given to attach(), or made by it
        self._owns_renderer = renderer is None
        self._thread: ThreadView | None = None
        self._deleted_shown: uuid.UUID | None = None  # the chat deleted while shown (Undo)
        self._started = False
        self._leaving = False  # the user closed the window
        self._closed = False
        self._unsubscribe: Callable[[], None] = lambda: None
        self.team_ui = None  # made by attach() when team sync is given
        self.building = BuiltLater(self, self._build(settings, save_settings))
        if not build_later:
            self.building.finish()
        self._window_state = WindowState(
            self, self.splitter, self.panes.side, state_file, self.panes.side_wanted
        )
        self._window_state.restore()
        self.panes.side_shown(not self.panes.side().isHidden())
        if service is not None:
            self.attach(service, search=search, transfer=transfer)

    # -- the service -----------------------------------------------------------------------------

    def attach(
        self,
        service: ChatService,
        *,
        profiles: ProviderManager | None = None,
        backups: Backups | None = None,
        data_folder: Path | None = None,
        log_folder: Path | None = None,
        search: Search | None = None,
        transfer: TransferFactory | None = None,
        team: TeamSync | None = None,
        kept_renders: KeptRenders | None = None,
        renderer: RenderWorker | None = None,
        find_servers: FindServers | None = None,
    ) -> None:
        """Connect the window to the core (the thread list replaces the placeholder; a message
        sent meanwhile goes out once started); needs a running asyncio loop from here on. The
        preferences manage `profiles`, `backups`, `data_folder`; Help names it and
        `log_folder`; `search` serves Ctrl+K;
        `transfer` makes export and import when asked; `team` adds team sync; `kept_renders`
        keeps formatting across runs; `renderer` formats the messages (the core's, shared with
        its HTML export; closed by the core); `find_servers` looks for model servers on this
        computer for "Connect a model" (default: Ollama's and LM Studio's usual ports). Without
        one, what it serves says so or stays disabled, and the window makes its own render
        worker."""
        if self._service is not None:
            raise RuntimeError("the window already has a service")
        self.building.finish()  # the parts the first frame did without, if not built yet
        # The modules of _attach_* are imported there (window/attached.py): they load asyncio,
        # the render worker, the thread list and the message actions, which the first paint
        # does without. The conversation's parts call the switch: the saved chats' service or a
        # temporary one's.
        self._service = routed = self._attach_runner(service, search, transfer)
        self._attach_first_parts(
            service, routed, profiles, backups, team, (data_folder, log_folder)
        )
        if self._renderer is None and renderer is not None:
            self._renderer, self._owns_renderer = renderer, False
        self._attach_conversation(routed, kept_renders)
        self._attach_sidebar(service)
        if team is not None:
            self._attach_team(team)
        self._attach_connecting(profiles, find_servers)
        self.menus.core_attached(unavailable(search, transfer, profiles))
        self._follow_core(service, routed)

    def _attach_first_parts(
        self,
        service: ChatService,
        routed: ChatService,
        profiles: ProviderManager | None,
        backups: Backups | None,
        team: TeamSync | None,
        folders: tuple[Path | None, Path | None],
    ) -> None:
        """The parts made before the core take it: Preferences (what it manages), Help (the
        data and log folders), the model choice and sending (the switch's service)."""
        data_folder, log_folder = folders
        self.settings.attach(
            service,
            self.runner,
            profiles=profiles,
            backups=backups,
            data_folder=data_folder,
            team=team,
        )
        self.help.data_folder, self.help.log_folder = data_folder, log_folder
        self.models.attach(routed, self.runner)
        self.sending.attach(routed, self.runner)

    def _follow_core(self, service: ChatService, routed: ChatService) -> None:
        """Follow the core's events and show its state, then begin (`_begin`)."""
        self._unsubscribe = routed.events.subscribe(self._on_event)
        self.read_only.show_state(service.saving_blocked)
        self.models.show()
        self._begin()
        self.service_attached.emit()

    def _begin(self) -> None:
        """Once started and attached, whichever comes last: read the threads, then send the
        message that waited or show the new chat's saved draft. The render worker starts when
        something is to be formatted that was not kept (chatdesk/core/render/kept.py)."""
        if not self._started or self._service is None or self._leaving:
            return
        self.sidebar.start()
        if not self.sending.begin():
            self.drafts.load(None, keep_typed=True)  # typed before the core was open

    # -- starting and stopping -------------------------------------------------------------------

    def start(self) -> None:
        """The window is on screen: with a service, start reading (else once attached)."""
        self._started = True
        self._begin()

    async def aclose(self) -> None:
        """Keep the draft, stop listening, end pending calls (before the core closes)."""
        if self._closed:
            return
        self._closed = True
        self.view.drop_after_page()
        self._unsubscribe()
        ThemeWatcher.of(_app()).changed.disconnect(self._theme_changed)
        if self._service is None:
            return
        self.gauge.close()
        self.summaries.close()
        self.formatter.close()
        try:
            await self.drafts.keep(self._service)
            await self.temporary.aclose()
        finally:
            await self.runner.aclose()
            if self._owns_renderer and self._renderer is not None:
                await self._renderer.aclose()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_guard.stops(event):
            return
        if self._service is not None and self.temporary.stops_close():
            event.ignore()
            return
        self._leaving = True
        self._window_state.save()
        super().closeEvent(event)

    # -- threads ---------------------------------------------------------------------------------

    def show_thread(self, thread_id: object) -> None:
        assert is_id(thread_id)
        if thread_id == self.current_thread_id or self._service is None:
            return
        if self._leave_temporary(lambda: self.show_thread(thread_id)):
            return
        self.runner.run(self._service.get_thread(thread_id), done=self._open, quiet=True)

    def open_message(self, thread_id: object, message_id: object) -> None:
        """Show a message (a search hit) in its thread, its branch made the active one."""
        assert is_id(message_id)
        if self._leave_temporary(lambda: self.open_message(thread_id, message_id)):
            return
        switch = self._attached().switch_branch(message_id)
        self.runner.run(switch, done=lambda thread: self._open(thread, at=message_id), quiet=True)

    def _open(self, thread: ThreadView | None, at: uuid.UUID | None = None) -> None:
        """Show `thread` (None: a new chat) from its newest messages or around message `at`."""
        staying = thread is not None and thread.id == self.current_thread_id
        if not staying:
            self.drafts.leave()  # what was typed in the thread being left stays with it
        self._thread, self._deleted_shown = thread, None
        self.controller.open(thread.id if thread else None, at)
        self.sidebar.select(self.saved_thread_id, thread.project_id if thread else None)
        self._show_header(recent=False)
        if not staying:
            if thread is not None:
                self.gauge.thread_opening()
            self.drafts.load(thread.id if thread else None)
        self.find_bar.close_bar()
        self.sending.show_streaming()
        self._update_thread_actions()
        if self.team_ui is not None and not staying:
            self.team_ui.thread_opened(thread)
        self.view.after_page(self._read_beside_page)

    def _read_beside_page(self) -> None:
        """What the header and the summary divider read of a thread opened, once its page is
        painted and built: a context built for the gauge and one for the summary in use, the
        thread's spending (every answer of it), the recent models. Read beside the page, they
        took a core and the interpreter from its widgets. Never once the window is closing
        (`aclose` drops it)."""
        self.summaries.thread_changed()
        self.models.find_recent()
        if self._thread is not None:
            self.gauge.refresh()

    def new_chat(self, project_id: object = None) -> None:
        """Show a new chat (in the project `project_id`, when it is one)."""
        if self._leave_temporary(lambda: self.new_chat(project_id)):
            return
        self.models.new_chat(project_id if is_id(project_id) else None)
        self._open(None)
        self.composer.focus_editor()

    def _show_header(self, *, recent: bool = True) -> None:
        """`recent`: the models' menu asks which models answered last (a thread's opening
        asks once its page is built)."""
        thread = self._thread
        own = title = thread_title(thread)
        if self._service is not None:
            title = self.temporary.titled(title)
            self.temporary.chat_shown(thread is not None)
        cut = own if title != own else ""
        self.header.show_thread(title, self.models.label(), thread, cut=cut)
        self.setWindowTitle(f"{title} — chatdesk")
        self.models.show(recent=recent)
        if thread is None:
            self.header.show_usage(None)
            self.header.show_spent(None)

    def _choose_model(self, key: str) -> None:
        if self.models.choose(key):  # for the new chat: only its header changes
            self._show_header()

    def _sent(self, turn: Turn) -> None:
        if self._thread is None or self._thread.id != turn.answer.thread_id:
            self.runner.run(
                self._attached().get_thread(turn.answer.thread_id), done=self._open, quiet=True
            )
        elif self.conversation.has_more_after:  # opened at an older message: show the new turn
            self.view.jump_to_latest()

    def _attached(self) -> ChatService:
        """The service, where only a window with one gets (a thread is open, a message sent)."""
        if self._service is None:
            raise RuntimeError("the window has no service yet")
        return self._service

    # -- menu and keyboard actions (the others call parts: chatdesk/ui/window/menus.py) ----------

    def rename_thread(self) -> None:
        if (saved := self.saved_thread_id) is not None:  # a temporary chat is not in the list
            self.sidebar.rename(saved)

    def choose_context_window(self, thread_id: object = None) -> None:
        """Ask for a thread's context window (the shown thread's by default)."""
        chosen = thread_id if is_id(thread_id) else self.current_thread_id
        if chosen is not None:
            self.context_window.ask(chosen)

    def _update_thread_actions(self) -> None:
        shown = self._service is not None and self.current_thread_id is not None
        self.menus.thread_shown(
            shown=shown,
            summarising=shown and self.summaries.busy(),
            can_export=self.on_demand.can_transfer and not self.temporary.shown,
        )

    def open_search(self) -> None:
        palette = self.on_demand.search_palette() if self._service is not None else None
        if palette is not None:
            palette.open()

    def export_thread(self) -> None:
        transfers = self.on_demand.transfer_actions()
        if transfers is not None and self._thread is not None:
            transfers.export_thread(self._thread.id, self._thread.title)

    def _settings_changed(self) -> None:
        measure = measure_of(self.settings.current.ui)
        self._measure_column(measure)
        self.view.set_measure(measure)
        if self._service is not None:
            self._show_header()  # the default model, the models known

    def _theme_changed(self) -> None:
        self.setStyleSheet(window_style())
        if self._service is not None:  # messages, and their formatter, come with the service
            self.formatter.follow(_app())
            self.formatter.clear()
            self.view.refresh_all()

    # -- service events --------------------------------------------------------------------------

    def _on_event(self, event: ev.Event) -> None:
        try:
            self.controller.apply(event)
            for part in self._listening:
                part.apply(event)
            self._apply(event)
        except Exception as error:  # the bus would only log it; a UI bug should be seen
            sys.excepthook(type(error), error, error.__traceback__)

    def _apply(self, event: ev.Event) -> None:
        """What the shown thread's changes mean to the window as a whole."""
        from chatdesk.core.chat import events as ev

        match event:
            case ev.MessageAdded(message) | ev.AnswerContinued(message) if (
                message.thread_id == self.current_thread_id and not message.status.is_final
            ):
                # A send, a regenerate, an edit's resend or Continue: the new answer is
                # followed as it grows, from wherever the view was scrolled to.
                self.view.jump_to_latest()
            case ev.MessageFinished(message) if message.thread_id == self.current_thread_id:
                self.actions_.announce(message)
                self.gauge.refresh()  # the answer is history now
            case ev.ThreadRestored(thread) if thread.id == self._deleted_shown:
                self._open(thread)  # Undo of its delete, nothing else opened since: shown again
            case ev.ThreadUpdated(thread) | ev.ThreadRestored(thread):
                if thread.id == self.current_thread_id:
                    old_leaf = self._thread.active_leaf_id if self._thread else None
                    self._thread = thread
                    self._show_header()
                    self.gauge.refresh()
                    if old_leaf != thread.active_leaf_id:
                        self.summaries.reload()  # the summary in use may be another now
            case ev.ThreadDeleted(thread_id) if thread_id == self.current_thread_id:
                self._thread, self._deleted_shown = None, thread_id
                self.sidebar.select(None)
                self._show_header()
                self.summaries.thread_changed()
                self._update_thread_actions()
                self.sending.show_streaming()
            case _:
                pass


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
