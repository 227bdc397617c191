"""The main window: the thread sidebar, then the header, conversation, find bar and composer.

Widgets never touch the database, files or the network: every `ChatService` call goes through
the window's `Runner`, and changes arrive as service events that the pieces apply.

The window can be built and shown before the core is open (decision 0009): until
`attach(service)` the sidebar is a placeholder and the composer takes typing; a message sent
meanwhile waits in the composer and goes out once the service is attached.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.kinds import Role, Status
from chatdesk.core.config import Settings, SyncSettings
from chatdesk.ui.composer import Composer, DraftAttachment
from chatdesk.ui.conversation.divider import DIVIDER_STYLE
from chatdesk.ui.conversation.model import ConversationModel
from chatdesk.ui.conversation.view import ConversationView
from chatdesk.ui.find_bar import FindBar
from chatdesk.ui.header import GAUGE_STYLE, ThreadHeader
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.sidebar.placeholder import SidebarPlaceholder
from chatdesk.ui.styles import WINDOW_STYLE
from chatdesk.ui.sync.style import SYNC_STYLE
from chatdesk.ui.theme import ThemeWatcher, is_dark
from chatdesk.ui.window.background_status import BackgroundStatus
from chatdesk.ui.window.drafts import Drafts
from chatdesk.ui.window.provider_status import ProviderStatus
from chatdesk.ui.window.state import WindowState

# Loaded with the core, behind the first paint: the service (SQLAlchemy), its views and events,
# asyncio (the Runner, the render worker) and the parts of the window that need them. The few
# methods that build views or match events import them where they run: only after attach().
if TYPE_CHECKING:
    from chatdesk.core.chat import events as ev
    from chatdesk.core.chat.service import ChatService
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.chat.views import ContextUsage, MessageView, ThreadView, Turn
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.core.search import Search
    from chatdesk.core.store.backup import Backups
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.ui.coalesce import LatestRead
    from chatdesk.ui.context.summaries import SummaryActions
    from chatdesk.ui.conversation.controller import ConversationController
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.message_actions import MessageActions
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.search.palette import SearchPalette
    from chatdesk.ui.sidebar.view import Sidebar
    from chatdesk.ui.sync.panel import TeamSyncUi
    from chatdesk.ui.transfer.actions import TransferActions, TransferFactory

SaveSettings = Callable[[Settings], None]
_SHORTCUTS = (
    # (menu, text, keys, method name)
    ("&File", "&New chat", "Ctrl+N", "new_chat"),
    ("&File", "&Search…", "Ctrl+K", "open_search"),
    ("&File", "&Export thread…", "", "export_thread"),
    ("&File", "Export e&verything…", "", "export_all"),
    ("&File", "&Import…", "", "import_file"),
    ("&File", "&Preferences…", "Ctrl+,", "open_preferences"),
    ("&File", "&Quit", "Ctrl+Q", "close"),
    ("&Chat", "Focus the &composer", "Ctrl+L", "focus_composer"),
    ("&Chat", "&Stop the answer", "", "stop_answer"),  # Esc: see _build_menus
    ("&Chat", "&Copy the last answer", "Ctrl+Shift+C", "copy_last_answer"),
    ("&Chat", "&Regenerate the last answer", "Ctrl+R", "regenerate_last"),
    ("&Chat", "&Find in thread…", "Ctrl+F", "open_find"),
    ("&Chat", "Re&name thread", "F2", "rename_thread"),
    ("&Chat", "Summarise earlier messages &now", "", "summarize_now"),
    ("&Chat", "Stop s&ummarising", "", "stop_summary"),
    ("&Chat", "Context &window…", "", "choose_context_window"),
    ("&View", "Show/hide the &sidebar", "Ctrl+B", "toggle_sidebar"),
)
# Until attach(); searching and transfers also need the core's search and transfer to be given.
_NEEDS_SERVICE = frozenset(
    {"new_chat", "open_search", "open_preferences", "export_all", "import_file"}
)
_NEEDS_THREAD = frozenset(
    {"summarize_now", "stop_summary", "choose_context_window", "export_thread"}
)
_SEPARATED = frozenset({"export_thread", "open_preferences", "summarize_now"})  # a line above
GAUGE_DELAY_MS = 300  # typing pauses this long before the gauge counts the draft
WAITING_TEXT = "Opening your chats… your message will be sent as soon as they are open."


class MainWindow(QMainWindow):
    service_attached = Signal()  # the thread list is in place and messages can be sent

    # Made by attach(), with the service; nothing reaches them before.
    runner: Runner
    formatter: Formatter
    sidebar: Sidebar
    controller: ConversationController
    actions_: MessageActions
    summaries: SummaryActions
    gauge_feed: LatestRead[tuple[uuid.UUID, ContextUsage | None]]

    def __init__(
        self,
        service: ChatService | None = None,
        *,
        settings: Settings | None = None,
        save_settings: SaveSettings | None = None,
        renderer: RenderWorker | None = None,
        state_file: Path | None = None,
        search: Search | None = None,
        transfer: TransferFactory | None = None,
    ) -> None:
        """Without `service`, a window that paints and takes typing until `attach(service)`;
        `search` and `transfer` are given to `attach` with it."""
        super().__init__()
        self._service: ChatService | None = None
        self._settings = settings or Settings()
        self._save_settings = save_settings
        self._renderer = renderer  # made by attach() if not given
        self._owns_renderer = renderer is None
        self._thread: ThreadView | None = None
        self._new_chat_project: uuid.UUID | None = None
        self._new_chat_model: tuple[str, str] | None = None
        self._live: dict[uuid.UUID, uuid.UUID] = {}  # thread id -> answer being written
        self._started = False
        self._leaving = False  # the user closed the window
        self._closed = False
        self._send_waiting = False  # Send was pressed before a service was attached
        self._unsubscribe: Callable[[], None] = lambda: None
        self._dropped: list[Path] = []  # files dropped before attach(), read once attached
        self._profiles: ProviderManager | None = None
        self._backups: Backups | None = None
        self._data_folder: Path | None = None
        self._search: Search | None = None
        self._transfer: TransferFactory | None = None
        self.search_palette: SearchPalette | None = None  # made on the first Ctrl+K
        self.transfers: TransferActions | None = None  # made on the first export or import
        self.context_dialog: QWidget | None = None  # the context window dialog opened last
        self._team: TeamSync | None = None
        self.team_ui: TeamSyncUi | None = None  # made by attach() when team sync is given
        self.preferences: PreferencesDialog | None = None  # the one opened last
        self._build()
        self._window_state = WindowState(self, self.splitter, self._side_panel, state_file)
        self._window_state.restore()
        if service is not None:
            self.attach(service, search=search, transfer=transfer)

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle("chatdesk")
        self.resize(1100, 740)
        self.header = ThreadHeader()
        self.conversation = ConversationModel(self)
        self.view = ConversationView(self.conversation)
        self.view.prompt_chosen.connect(self._send_example)
        self._enable_examples(False)  # an example prompt sends at once: not before attach()
        self.find_bar = FindBar(lambda: [w.body for w in self.view.widgets])
        self.composer = Composer(enter_sends=self._settings.ui.enter_sends)
        self.composer.send_requested.connect(self._send)
        self.composer.stop_requested.connect(self.stop_answer)
        self.drafts = Drafts(
            self.composer,
            service=lambda: self._service,
            runner=lambda: self.runner,
            current_thread=lambda: self.current_thread_id,
        )
        self.composer.draft_changed.connect(self.drafts.save)
        self.composer.files_dropped.connect(self._attach_files)
        self.composer.model_changed.connect(self._choose_model)
        right = QWidget()
        column = self._column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.view, 1)
        column.addWidget(self.find_bar)
        column.addWidget(self.composer)
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(SidebarPlaceholder())
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([270, 830])
        self.setCentralWidget(self.splitter)
        self.provider_status = ProviderStatus(self)
        self.statusBar().addPermanentWidget(self.provider_status)
        self.background_status = BackgroundStatus(self)
        self.statusBar().addPermanentWidget(self.background_status)
        self._build_menus()
        self._show_models()
        self.setTabOrder(self.view, self.composer)
        self.composer.focus_editor()  # typing goes to the composer from the first paint on
        ThemeWatcher.of(_app()).changed.connect(self._theme_changed)
        self.setStyleSheet(WINDOW_STYLE + DIVIDER_STYLE + GAUGE_STYLE + SYNC_STYLE)

    def _build_menus(self) -> None:
        menus: dict[str, QMenu] = {}
        self._service_actions: dict[str, QAction] = {}
        self._thread_actions: dict[str, QAction] = {}  # enabled while a thread is shown
        for menu_name, text, keys, method in _SHORTCUTS:
            if menu_name not in menus:
                menus[menu_name] = self.menuBar().addMenu(menu_name)
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(getattr(self, method))
            if method in _NEEDS_SERVICE:
                action.setEnabled(False)
                self._service_actions[method] = action
            if method in _NEEDS_THREAD:
                action.setEnabled(False)
                self._thread_actions[method] = action
            if method in _SEPARATED:
                menus[menu_name].addSeparator()
            menus[menu_name].addAction(action)
        # Esc stops an answer from the conversation and the header; the composer handles its
        # own Esc. A window-wide Esc would steal it from the filter, find bar and inline edits.
        for area in (self.view, self.header):
            stop = QShortcut(QKeySequence("Esc"), area, self.stop_answer)
            stop.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _side_panel(self) -> QWidget:
        """The sidebar, or its placeholder before attach()."""
        panel = self.splitter.widget(0)
        assert panel is not None  # the splitter is made with both of its widgets
        return panel

    # -- the service -----------------------------------------------------------------------------

    def attach(
        self,
        service: ChatService,
        *,
        profiles: ProviderManager | None = None,
        backups: Backups | None = None,
        data_folder: Path | None = None,
        search: Search | None = None,
        transfer: TransferFactory | None = None,
        team: TeamSync | None = None,
    ) -> None:
        """Connect the window to the core: the thread list takes the placeholder's place and a
        message sent while the core was opening goes out (once the window is started). Needs a
        running asyncio loop from here on. `profiles`, `backups` and `data_folder` are what
        the preferences manage; without them those tabs say so. `search` serves the palette
        (Ctrl+K) and `transfer` makes the core's Transfer for export and import when first
        asked; without them those actions stay disabled. `team` adds team sync (the status
        bar's indicator, sharing, the Team preferences)."""
        if self._service is not None:
            raise RuntimeError("the window already has a service")
        self._profiles, self._backups, self._data_folder = profiles, backups, data_folder
        self._search, self._transfer = search, transfer
        # Imported here, like the modules in _attach_*: they load asyncio, the render worker,
        # the thread list and the message actions, which the first paint does without.
        from chatdesk.ui.runner import Runner

        self._service = service
        self.runner = Runner(self)
        self.runner.failed.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.runner.busy_changed.connect(self._update_busy)
        self._attach_conversation(service)
        self._attach_sidebar(service)
        if team is not None:
            self._attach_team(team)
        self._enable_examples(True)
        needs = {"open_search": search, "export_all": transfer, "import_file": transfer}
        for method, action in self._service_actions.items():
            action.setEnabled(needs.get(method, service) is not None)
        self._unsubscribe = service.events.subscribe(self._on_event)
        self._show_models()
        self._begin()
        self.service_attached.emit()

    def _attach_conversation(self, service: ChatService) -> None:
        from chatdesk.core.render.worker import RenderWorker
        from chatdesk.ui.conversation.controller import ConversationController
        from chatdesk.ui.conversation.formatter import Formatter
        from chatdesk.ui.message_actions import MessageActions

        self._renderer = self._renderer or RenderWorker()
        self.formatter = Formatter(self._renderer, self.runner, self)
        self.formatter.dark = is_dark(_app())
        self.view.formatter = self.formatter
        self.controller = ConversationController(service, self.runner, self.conversation, self)
        self.actions_ = MessageActions(self, service, self.runner, self.view, self.controller)
        self.view.message_widget_added.connect(self.actions_.connect_widget)
        self.view.older_wanted.connect(self.controller.load_older)
        self.view.newer_wanted.connect(self.controller.load_newer)
        self.view.latest_wanted.connect(lambda: self.controller.open(self.current_thread_id))
        self.controller.loaded_at.connect(self.view.reveal)
        self._attach_context(service)

    def _attach_context(self, service: ChatService) -> None:
        """The gauge's feed and the summaries (divider, actions, status)."""
        from chatdesk.ui.coalesce import LatestRead
        from chatdesk.ui.context.summaries import SummaryActions

        self.gauge_feed = LatestRead(
            self.runner, self._read_usage, self._show_usage, delay_ms=GAUGE_DELAY_MS, parent=self
        )
        self.composer.editor.textChanged.connect(self._draft_edited)
        self.composer.draft_changed.connect(self._draft_edited)  # attachments too
        self.summaries = SummaryActions(
            service, self.runner, self.conversation, self.view.divider, self.statusBar(), self
        )
        self.summaries.busy_changed.connect(self._update_thread_actions)
        self.summaries.summaries_changed.connect(self._refresh_usage)

    def _attach_sidebar(self, service: ChatService) -> None:
        from chatdesk.ui.sidebar.view import Sidebar

        self.sidebar = Sidebar(service, self.runner)
        self.sidebar.thread_selected.connect(self.show_thread)
        self.sidebar.new_chat_requested.connect(self._new_chat_in)
        self.sidebar.commands.summarize_requested.connect(self.summaries.summarize_now)
        self.sidebar.commands.context_window_requested.connect(self.choose_context_window)
        placeholder = self.splitter.replaceWidget(0, self.sidebar)  # same size and visibility
        if placeholder is not None:  # it has no parent now
            placeholder.deleteLater()
        self.setTabOrder(self.sidebar, self.view)

    def _attach_team(self, team: TeamSync) -> None:
        from chatdesk.ui.sync.panel import TeamSyncUi

        self._team = team
        self.team_ui = TeamSyncUi(team, self.runner, self.sidebar, self)
        self.team_ui.status.preferences_requested.connect(self.open_team_preferences)
        self.statusBar().addPermanentWidget(self.team_ui.status)
        self._column.insertWidget(1, self.team_ui.banner)  # between the header and messages

    def _begin(self) -> None:
        """Once the window is started and has a service, whichever comes last: start the
        formatter's worker, read the threads, then send the message that waited or show the
        new chat's saved draft."""
        if not self._started or self._service is None or self._leaving:
            return
        if self._renderer is not None:  # its process would have competed with opening the core
            self._renderer.start()
        self.sidebar.start()
        self._attach_files(self._dropped)
        self._dropped = []
        if self._send_waiting:
            self._send_waited()
        else:
            self.drafts.load(None, keep_typed=True)  # typed before the core was open

    def _enable_examples(self, enabled: bool) -> None:
        for button in self.view.empty.buttons:
            button.setEnabled(enabled)

    def _update_busy(self) -> None:
        running = self._service is not None and self.runner.busy
        self.composer.set_busy(running or self._send_waiting)

    # -- starting and stopping -------------------------------------------------------------------

    def start(self) -> None:
        """The window is on screen: with a service, start reading (else once attached)."""
        self._started = True
        self._begin()

    async def aclose(self) -> None:
        """Keep the draft, stop listening, end pending calls (before the core closes). A window
        that never had a service started nothing, and has nowhere to keep the draft."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        ThemeWatcher.of(_app()).changed.disconnect(self._theme_changed)
        if self._service is None:
            return
        self.gauge_feed.close()
        self.summaries.close()
        self.formatter.close()
        try:
            await self.drafts.keep(self._service)
        finally:
            await self.runner.aclose()
            if self._owns_renderer and self._renderer is not None:
                await self._renderer.aclose()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._leaving = True
        self._window_state.save()
        super().closeEvent(event)

    # -- threads ---------------------------------------------------------------------------------

    @property
    def current_thread_id(self) -> uuid.UUID | None:
        return self._thread.id if self._thread else None

    def show_thread(self, thread_id: object) -> None:
        assert isinstance(thread_id, uuid.UUID)
        if thread_id == self.current_thread_id or self._service is None:
            return
        self.runner.run(self._service.get_thread(thread_id), done=self._open, quiet=True)

    def open_message(self, thread_id: object, message_id: object) -> None:
        """Show a message inside its thread, on its branch, scrolled to and flashed (a search
        hit). The branch through it becomes the thread's active one."""
        assert isinstance(message_id, uuid.UUID)
        switch = self._attached().switch_branch(message_id)
        self.runner.run(switch, done=lambda thread: self._open(thread, at=message_id), quiet=True)

    def _open(self, thread: ThreadView | None, at: uuid.UUID | None = None) -> None:
        """Show `thread` (None: a new chat) from its newest messages or around message `at`."""
        staying = thread is not None and thread.id == self.current_thread_id
        if not staying:
            self.drafts.leave()  # what was typed in the thread being left stays with it
        self._thread = thread
        self.controller.open(thread.id if thread else None, at)
        self.sidebar.select(thread.id) if thread else None
        self._show_header()
        if not staying:
            self.drafts.load(thread.id if thread else None)
        self.find_bar.close_bar()
        self._update_streaming()
        self.summaries.thread_changed()
        self._update_thread_actions()
        if self.team_ui is not None and not staying:
            self.team_ui.thread_opened(thread)
        if thread is not None:
            self._refresh_usage()

    def new_chat(self) -> None:
        self._new_chat_in(None)

    def _new_chat_in(self, project_id: object) -> None:
        self._new_chat_project = project_id if isinstance(project_id, uuid.UUID) else None
        self._new_chat_model = None
        self._open(None)
        self.composer.focus_editor()

    def _show_header(self) -> None:
        thread = self._thread
        title = thread.title if thread else "New chat"
        _, model = self._model_of(thread)
        self.header.show_thread(title, model)
        self.setWindowTitle(f"{title} — chatdesk")
        self._show_models()
        if thread is None:
            self.header.show_usage(None)

    def _model_of(self, thread: ThreadView | None) -> tuple[str, str]:
        general = self._settings.general
        if thread is not None and thread.model:
            return thread.provider or general.default_provider, thread.model
        if thread is None and self._new_chat_model:
            return self._new_chat_model
        return general.default_provider, general.default_model

    def _show_models(self) -> None:
        models = self._service.known_models() if self._service else []
        provider, model = self._model_of(self._thread)
        if (provider, model) not in models:
            models.append((provider, model))
        choices = [(f"{p}/{m}", m if p == "mock" else f"{m} ({p})") for p, m in models]
        self.composer.set_models(choices, f"{provider}/{model}")

    def _choose_model(self, key: str) -> None:
        provider, _, model = key.partition("/")
        if self._thread is None:
            self._new_chat_model = (provider, model)
            self._show_header()
        else:
            service = self._attached()
            call = service.set_thread_model(self._thread.id, provider=provider, model=model)
            self.runner.run(call)

    def _refresh_usage(self) -> None:
        """Read the gauge and the thread's spending again (not for typing: `_draft_edited`)."""
        thread_id = self.current_thread_id
        if thread_id is not None:
            self.gauge_feed.now()

            def show_spent(totals: UsageTotals) -> None:
                if self.current_thread_id == thread_id:
                    self.header.show_spent(totals)

            spent = self._attached().thread_usage(thread_id)
            self.runner.run(spent, done=show_spent, quiet=True)
        else:
            self.header.show_spent(None)

    def _draft_edited(self) -> None:
        if self.current_thread_id is not None:
            self.gauge_feed.later()

    def _read_usage(self) -> Coroutine[Any, Any, tuple[uuid.UUID, ContextUsage | None]] | None:
        """The gauge's call: the next message's context with what the composer holds now."""
        thread_id = self.current_thread_id
        if thread_id is None or self._service is None:
            return None
        from chatdesk.core.chat.attachments import for_model

        attached = [(a.name, a.text) for a in self.composer.attachments()]
        draft = for_model(self.composer.text(), attached) if attached else self.composer.text()
        return _usage_of(self._service, thread_id, draft)

    def _show_usage(self, read: tuple[uuid.UUID, ContextUsage | None]) -> None:
        thread_id, usage = read
        if thread_id == self.current_thread_id:
            self.header.show_usage(usage)

    def _attach_files(self, paths: list[Path]) -> None:
        if self._service is None:
            self._dropped.extend(paths)  # read once the window can run calls (_begin)
            return
        # Imported when used: the module also holds the attachments' storage (SQLAlchemy).
        from chatdesk.core.chat.attachments import read_text_file

        for path in paths:
            self.runner.run(
                self.runner.off_thread(read_text_file, path),
                done=lambda item: self.composer.add_attachment(
                    DraftAttachment(item.name, item.text, "file")
                ),
            )

    # -- sending ---------------------------------------------------------------------------------

    def _send(self, text: str, attachments: list[DraftAttachment]) -> None:
        if self._service is None:
            self._wait_to_send()
        else:
            self.runner.run(self._send_call(self._service, text, attachments), done=self._sent)

    def _send_call(
        self, service: ChatService, text: str, attachments: list[DraftAttachment]
    ) -> Coroutine[Any, Any, Turn]:
        from chatdesk.core.chat.views import AttachmentInput

        items = [AttachmentInput(a.name, a.text, kind=a.kind) for a in attachments]
        if self._thread is not None:
            return service.send(self._thread.id, text, attachments=items)
        provider, model = self._new_chat_model or (None, None)
        return service.send_new(
            text,
            project_id=self._new_chat_project,
            attachments=items,
            provider=provider,
            model=model,
        )

    def _wait_to_send(self) -> None:
        """Send pressed before the core is open: the text stays (editable) until _begin()."""
        self._send_waiting = True
        self._update_busy()
        self.statusBar().showMessage(WAITING_TEXT)

    def _send_waited(self) -> None:
        """Send what the composer holds now, as the user sees it. The new chat's saved draft
        was never shown (it would have gone out too), but sending clears it: put it back."""
        self._send_waiting = False
        self.statusBar().clearMessage()
        self._update_busy()
        text, attachments = self.composer.text(), self.composer.attachments()
        if not text.strip() and not attachments:
            return
        service = self._attached()

        async def send() -> Turn:
            kept = await service.load_draft(None)
            turn = await self._send_call(service, text, attachments)
            if not kept.empty:
                await service.save_draft(None, kept)
            return turn

        self.runner.run(send(), done=self._sent)

    def _sent(self, turn: Turn) -> None:
        self.composer.clear_after_send()
        if self._thread is None or self._thread.id != turn.answer.thread_id:
            self.runner.run(
                self._attached().get_thread(turn.answer.thread_id), done=self._open, quiet=True
            )
        elif self.conversation.has_more_after:  # opened at an older message: show the new turn
            self.view.jump_to_latest()

    def _send_example(self, prompt: str) -> None:
        self._send(prompt, [])

    def stop_answer(self) -> None:
        answer = self._live.get(self.current_thread_id) if self.current_thread_id else None
        if answer is not None:
            self.runner.run(self._attached().stop(answer))

    def _update_streaming(self) -> None:
        self.composer.set_streaming(self.current_thread_id in self._live)

    def _attached(self) -> ChatService:
        """The service, where only a window with one can get (a thread is open, an answer
        arrived, a message was sent)."""
        if self._service is None:
            raise RuntimeError("the window has no service yet")
        return self._service

    # -- keyboard actions ------------------------------------------------------------------------

    def focus_composer(self) -> None:
        self.composer.focus_editor()

    def _last_answer(self) -> MessageView | None:
        answers = [m for m in self.conversation.messages() if m.role is Role.ASSISTANT]
        return answers[-1] if answers else None

    def copy_last_answer(self) -> None:
        last = self._last_answer()
        if last is not None and last.status.is_final:
            self.actions_.copy(last.id, plain=False)

    def regenerate_last(self) -> None:
        last = self._last_answer()
        if last is not None and last.status.is_final:
            self.runner.run(self._attached().regenerate(last.id))

    def open_find(self) -> None:
        self.find_bar.open_bar()

    def rename_thread(self) -> None:
        if self.current_thread_id is not None:
            self.sidebar.rename(self.current_thread_id)

    def summarize_now(self) -> None:
        self.summaries.summarize_now()

    def stop_summary(self) -> None:
        self.summaries.cancel()

    def choose_context_window(self, thread_id: object = None) -> None:
        """Ask for a thread's context window (the shown thread's by default)."""
        chosen = thread_id if isinstance(thread_id, uuid.UUID) else self.current_thread_id
        if chosen is None:
            return
        service = self._attached()

        async def read() -> tuple[ThreadView, ContextUsage]:
            return await service.get_thread(chosen), await service.context_usage(chosen)

        self.runner.run(read(), done=lambda found: self._ask_context_window(*found))

    def _ask_context_window(self, thread: ThreadView, usage: ContextUsage) -> None:
        from chatdesk.ui.context.dialogs import ContextWindowDialog

        shown = usage.breakdown.window if usage.breakdown else 0
        dialog = ContextWindowDialog(thread.context_window, shown, thread.title, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        set_window = self._attached().set_thread_context_window
        dialog.accepted.connect(
            lambda: self.runner.run(set_window(thread.id, dialog.window_tokens()))
        )
        self.context_dialog = dialog
        dialog.open()

    def _update_thread_actions(self) -> None:
        shown = self._service is not None and self.current_thread_id is not None
        busy = shown and self.summaries.busy()
        self._thread_actions["summarize_now"].setEnabled(shown and not busy)
        self._thread_actions["stop_summary"].setEnabled(busy)
        self._thread_actions["choose_context_window"].setEnabled(shown)
        self._thread_actions["export_thread"].setEnabled(shown and self._transfer is not None)

    def toggle_sidebar(self) -> None:
        panel = self._side_panel()
        panel.setVisible(not panel.isVisible())

    def open_search(self) -> None:
        if self._service is None or self._search is None:
            return
        if self.search_palette is None:  # made when first asked for, and kept
            from chatdesk.ui.search.palette import SearchPalette

            self.search_palette = SearchPalette(self._service, self._search, self.runner, self)
            self.search_palette.thread_chosen.connect(self.show_thread)
            self.search_palette.message_chosen.connect(self.open_message)
        self.search_palette.open()

    def _transfers(self) -> TransferActions | None:
        if self.transfers is None and self._transfer is not None:
            from chatdesk.ui.transfer.actions import TransferActions

            self.transfers = TransferActions(self, self.runner, self._transfer)
        return self.transfers

    def export_thread(self) -> None:
        transfers = self._transfers()
        if transfers is not None and self._thread is not None:
            transfers.export_thread(self._thread.id, self._thread.title)

    def export_all(self) -> None:
        transfers = self._transfers()
        if transfers is not None:
            transfers.export_all()

    def import_file(self) -> None:
        transfers = self._transfers()
        if transfers is not None:
            transfers.import_file()

    def open_preferences(self) -> None:
        service = self._attached()
        dialog = PreferencesDialog(
            self._settings,
            self,
            runner=self.runner,
            providers=self._profiles,
            backups=self._backups,
            data_folder=self._data_folder,
            usage=service.usage_by_month,
            models=service.known_models,
            team=self._team,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.apply_settings(
                dialog.result_settings(), sync_password=dialog.team.password()
            )
        )
        dialog.team.login_applied.connect(self._team_login_applied)
        self.preferences = dialog
        dialog.open()

    def open_team_preferences(self) -> None:
        self.open_preferences()
        if self.preferences is not None:
            self.preferences.tabs.setCurrentWidget(self.preferences.team)

    def _team_login_applied(self, sync: object) -> None:
        """The Team tab put a server (or none) in use: save it with the other settings."""
        assert isinstance(sync, SyncSettings)
        self._settings = replace(self._settings, sync=sync)  # in use already: not again
        self.apply_settings(self._settings)

    def apply_settings(self, settings: Settings, *, sync_password: str | None = None) -> None:
        """Use `settings` from now on (the next answer already) and save them. Another team
        server or login (or a new password for it) reconnects team sync."""
        if self._team is not None and (settings.sync != self._settings.sync or sync_password):
            self.runner.run(self._team.apply_login(settings.sync, sync_password))
        self._settings = settings
        ThemeWatcher.of(_app()).apply(settings.ui.theme, settings.ui.font_size)
        self.composer.set_enter_sends(settings.ui.enter_sends)
        if self._service is not None:
            self._service.update_settings(settings)
            self._show_models()
            self._show_header()
        if self._save_settings is not None:  # it syncs to disk: not on the GUI thread
            self.runner.run(self.runner.off_thread(self._save_settings, settings))

    def _theme_changed(self) -> None:
        self.setStyleSheet(WINDOW_STYLE + DIVIDER_STYLE + GAUGE_STYLE + SYNC_STYLE)
        if self._service is not None:  # messages, and their formatter, come with the service
            self.formatter.dark = is_dark(_app())
            self.formatter.clear()
            self.view.refresh_all()

    # -- service events --------------------------------------------------------------------------

    def _on_event(self, event: ev.Event) -> None:
        try:
            self.controller.apply(event)
            self._apply(event)
        except Exception as error:  # the bus would only log it; a UI bug should be seen
            sys.excepthook(type(error), error, error.__traceback__)

    def _apply(self, event: ev.Event) -> None:
        from chatdesk.core.chat import events as ev

        match event:
            case ev.MessageAdded(message) | ev.AnswerContinued(message):
                if message.role is Role.ASSISTANT and not message.status.is_final:
                    self._live[message.thread_id] = message.id
            case ev.MessageFinished(message):
                self._finished(message)
            case ev.ThreadUpdated(thread) | ev.ThreadRestored(thread):
                if thread.id == self.current_thread_id:
                    old_leaf = self._thread.active_leaf_id if self._thread else None
                    self._thread = thread
                    self._show_header()
                    self._refresh_usage()
                    if old_leaf != thread.active_leaf_id:
                        self.summaries.reload()  # the summary in use may be another now
            case (
                ev.SummaryStarted()
                | ev.SummaryCreated()
                | ev.SummaryUpdated()
                | ev.SummaryDeleted()
                | ev.SummaryFailed()
                | ev.BranchSwitched()
                | ev.MessagesDeleted()
            ):
                self.summaries.apply(event)
            case ev.ThreadDeleted(thread_id) if thread_id == self.current_thread_id:
                self._thread = None
                self._show_header()
                self.summaries.thread_changed()
                self._update_thread_actions()
            case ev.SyncStateChanged() | ev.SyncEditLost() if self.team_ui is not None:
                self.team_ui.apply(event)
            case ev.BackgroundProblem():
                self.background_status.apply(event)
            case ev.ProviderStateChanged(provider, state, detail):
                self.provider_status.show_state(provider, state, detail)
            case ev.ProvidersChanged():
                self._show_models()
            case ev.AnswerWaiting(_, thread_id, seconds, reason):
                self._say_about(thread_id, f"Waiting {seconds:.0f} s: {reason}", seconds)
            case ev.AnswerRetrying(_, thread_id, attempt, delay, reason):
                text = f"Retrying in {delay:.0f} s (attempt {attempt + 1}): {reason}"
                self._say_about(thread_id, text, delay)
            case _:
                return
        self._update_streaming()

    def _finished(self, message: MessageView) -> None:
        if self._live.get(message.thread_id) == message.id:
            del self._live[message.thread_id]
        if message.thread_id == self.current_thread_id:
            self.actions_.announce(message)
            self._refresh_usage()  # the answer is history now
        elif message.status is Status.ERROR:
            self.statusBar().showMessage(
                f"An answer in another thread failed: {message.error_detail}"
            )

    def _say_about(self, thread_id: uuid.UUID, text: str, seconds: float) -> None:
        """A wait before an answer starts, in the status bar for as long as it lasts."""
        if thread_id != self.current_thread_id:
            text = f"An answer in another thread: {text}"
        self.statusBar().showMessage(text, round((seconds + 1) * 1000))


async def _usage_of(
    service: ChatService, thread_id: uuid.UUID, draft: str
) -> tuple[uuid.UUID, ContextUsage | None]:
    """The gauge's reading; None when the thread cannot be read (it was deleted meanwhile)."""
    from chatdesk.core.errors import ChatdeskError

    try:
        return thread_id, await service.context_usage(thread_id, draft)
    except ChatdeskError:
        return thread_id, None


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
