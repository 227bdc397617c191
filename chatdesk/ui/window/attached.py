"""The window's parts made when the core is attached (`MainWindow.attach` calls them in order):
the `Runner`, the parts made on first use and the temporary chat, then the conversation's parts,
Connect a model, the thread list and team sync. The modules of each step are imported there:
they load asyncio, the render worker, the thread list and the message actions, which the first
paint does without (chatdesk/ui/main_window.py builds on this, as this builds on layout.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from chatdesk.ui.window.layout import WindowLayout

if TYPE_CHECKING:
    from chatdesk.core.chat import events as ev
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.render.kept import KeptRenders
    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.core.search import Search
    from chatdesk.core.service import ChatService
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.ui.connect.page import FindServers
    from chatdesk.ui.context.summaries import SummaryActions
    from chatdesk.ui.context.window_choice import ContextWindowChoice
    from chatdesk.ui.conversation.controller import ConversationController
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.sidebar.view import Sidebar
    from chatdesk.ui.sync.panel import TeamSyncUi
    from chatdesk.ui.transfer.actions import TransferFactory
    from chatdesk.ui.window.connecting import Connecting
    from chatdesk.ui.window.gauge import ContextGauge
    from chatdesk.ui.window.message_actions import MessageActions
    from chatdesk.ui.window.on_demand import OnDemand


class Listening(Protocol):
    """A part of the window that follows the core's events."""

    def apply(self, event: ev.Event) -> None: ...


class AttachedParts(WindowLayout):
    """The parts that work with the core, and the window's parts that follow its events."""

    # Made by attach(), with the service; nothing reaches them before (nor before _build()).
    runner: Runner
    formatter: Formatter
    sidebar: Sidebar
    controller: ConversationController
    actions_: MessageActions
    summaries: SummaryActions
    gauge: ContextGauge
    on_demand: OnDemand
    context_window: ContextWindowChoice
    connecting: Connecting
    _listening: list[Listening]
    _renderer: RenderWorker | None  # given to the window, or made with the conversation's parts
    team_ui: TeamSyncUi | None  # made when team sync is given

    def _attach_runner(
        self, service: ChatService, search: Search | None, transfer: TransferFactory | None
    ) -> ChatService:
        """The one way this window's parts call the core, the parts made on first use and
        the temporary chat; the service the conversation's parts call (the switch)."""
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.window.on_demand import OnDemand
        from chatdesk.ui.window.switch import ServiceSwitch

        self.runner = Runner(self)
        self.runner.failed.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.on_demand = OnDemand(
            self,
            service,
            self.runner,
            search,
            transfer,
            show_thread=self.show_thread,
            show_message=self.open_message,
        )
        self.switch = ServiceSwitch(service)
        self.temporary = self._make_temporary(self.switch)
        return self.switch.as_service()

    def _attach_conversation(self, service: ChatService, kept: KeptRenders | None) -> None:
        from chatdesk.core.render.worker import RenderWorker
        from chatdesk.ui.window.answer_notices import AnswerNotices
        from chatdesk.ui.window.conversation_parts import ConversationParts

        self._renderer = self._renderer or RenderWorker()
        parts = ConversationParts(
            self,
            service,
            self.runner,
            self._renderer,
            kept,
            self.conversation,
            self.view,
            self.composer,
            self.header,
            lambda: self.current_thread_id,
        )
        self.formatter, self.controller = parts.formatter, parts.controller
        self.actions_, self.dictation, self.talking = parts.actions, parts.dictation, parts.talking
        self.gauge, self.summaries = parts.gauge, parts.summaries
        self.context_window = parts.context_window
        self.summaries.busy_changed.connect(self._update_thread_actions)
        self._listening = [
            self.sending,
            self.summaries,
            self.models,
            self.provider_status,
            self.background_status,
            self.read_only,
            self.drafts,
            AnswerNotices(self.statusBar(), lambda: self.current_thread_id),
        ]

    def _attach_connecting(
        self, profiles: ProviderManager | None, find: FindServers | None
    ) -> None:
        from chatdesk.ui.window.connecting import Connecting

        self.connecting = Connecting(
            self.panes, self.settings, profiles, self.runner, self.new_chat, find
        )
        self.connecting.header = self.header
        if profiles is not None:
            self.settings.connect_model = self.connecting.offer

    def _attach_sidebar(self, service: ChatService) -> None:
        from chatdesk.ui.sidebar.view import Sidebar

        self.sidebar = Sidebar(service, self.runner)
        self.sidebar.thread_selected.connect(self.show_thread)
        self.sidebar.new_chat_requested.connect(self.new_chat)
        self.sidebar.search_requested.connect(self.open_search)
        self.sidebar.commands.summarize_requested.connect(self.summaries.summarize_now)
        self.sidebar.commands.context_window_requested.connect(self.choose_context_window)
        self.panes.set_side(self.sidebar)
        self.setTabOrder(self.sidebar, self.view)

    def _attach_team(self, team: TeamSync) -> None:
        from chatdesk.ui.sync.panel import TeamSyncUi

        self.team_ui = TeamSyncUi(team, self.runner, self.sidebar, self)
        self.team_ui.place(self.statusBar(), self.panes.column, self.settings.open_preferences)
        self._listening.append(self.team_ui)

    # What the parts made here call back, made by the window.

    def open_message(self, thread_id: object, message_id: object) -> None:
        raise NotImplementedError

    def new_chat(self, project_id: object = None) -> None:
        raise NotImplementedError

    def open_search(self) -> None:
        raise NotImplementedError

    def choose_context_window(self, thread_id: object = None) -> None:
        raise NotImplementedError
