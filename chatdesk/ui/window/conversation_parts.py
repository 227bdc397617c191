"""The conversation's parts that work with the core, made when the window attaches it: the
formatter (the render worker, and formatting kept across runs), the controller that reads and
follows the shown thread, the message actions, the context gauge, summaries and the context
window choice, dictation and the voice conversation. They load asyncio and the render worker,
which the first paint does without."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from chatdesk.ui.context.summaries import SummaryActions
from chatdesk.ui.context.window_choice import ContextWindowChoice
from chatdesk.ui.conversation.controller import ConversationController
from chatdesk.ui.conversation.formatter import Formatter
from chatdesk.ui.window.dictation import Dictation
from chatdesk.ui.window.gauge import ContextGauge
from chatdesk.ui.window.message_actions import MessageActions
from chatdesk.ui.window.talking import Talking

if TYPE_CHECKING:
    from chatdesk.core.render.kept import KeptRenders
    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.core.service import ChatService
    from chatdesk.ui.composer import Composer
    from chatdesk.ui.conversation.model import ConversationModel
    from chatdesk.ui.conversation.view import ConversationView
    from chatdesk.ui.header import ThreadHeader
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.layout import WindowLayout


class ConversationParts:
    def __init__(
        self,
        window: WindowLayout,
        service: ChatService,
        runner: Runner,
        renderer: RenderWorker,
        kept: KeptRenders | None,
        conversation: ConversationModel,
        view: ConversationView,
        composer: Composer,
        header: ThreadHeader,
        current: Callable[[], uuid.UUID | None],
    ) -> None:
        """For `window`'s `conversation` shown in `view`; `current()` is the shown thread."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.formatter = Formatter(renderer, runner, window, kept=kept)
        self.formatter.follow(app, window.devicePixelRatioF())
        view.formatter = self.formatter
        self.controller = ConversationController(
            service, runner, conversation, window, prefetch=self.formatter.prefetch
        )
        self.actions = MessageActions(
            window,
            service,
            runner,
            view,
            self.controller,
            summarise=lambda thread_id, then: self.summaries.summarize_now(thread_id, then),
            choose_model=composer.open_models,
        )
        view.message_widget_added.connect(self.actions.connect_widget)
        self.dictation = Dictation(composer, runner, window)  # the microphone, once voice is given
        # A voice conversation: speak, hear the answer, speak again (once voice is given).
        self.talking = Talking(window, composer, window.sending, self.actions.reading, runner)
        self.actions.asks.composing = lambda: bool(composer.text().strip())  # not interrupted
        # A resource a tool gave, attached from its card, joins the message being written.
        self.actions.attachments.resources.attached.connect(composer.add_attachment)
        self.controller.serve(view)
        self.gauge = ContextGauge(service, runner, composer, header, current, window)
        self.summaries = SummaryActions(
            service, runner, conversation, view.divider, window.statusBar(), window
        )
        self.summaries.summaries_changed.connect(self.gauge.refresh)
        self.context_window = ContextWindowChoice(service, runner, window)
