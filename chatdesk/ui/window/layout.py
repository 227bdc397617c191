"""What the main window is made of (chatdesk/ui/main_window.py builds on it): the parts its first
frame shows, then the rest, a part per turn of Qt's loop when built later (`window/later.py`)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from chatdesk.ui.column import measure_of
from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.model_offers import model_entry
from chatdesk.ui.conversation.greeting import Greeting
from chatdesk.ui.conversation.suggestions import Suggestions
from chatdesk.ui.header import ThreadHeader
from chatdesk.ui.theme import ThemeWatcher
from chatdesk.ui.window.background_status import BackgroundStatus
from chatdesk.ui.window.drafts import Drafts
from chatdesk.ui.window.later import imported, qt_classes
from chatdesk.ui.window.menus import WindowMenus
from chatdesk.ui.window.panes import Panes
from chatdesk.ui.window.provider_status import ProviderStatus
from chatdesk.ui.window.read_only import CloseGuard
from chatdesk.ui.window.sending import Sending
from chatdesk.ui.window.settings import SaveSettings, SettingsLater, WindowSettings
from chatdesk.ui.window.style import window_style

# What the parts built later import, a module a turn before the part that needs them (each
# takes a few milliseconds; together they would hold Qt's loop for more than a frame): reading
# every setting (its schema, then the rest of the config), the conversation's view, and the
# composer's model, assistant and compare choice.
_READING_SETTINGS = (
    *("chatdesk.core.settings_outside", "chatdesk.core.settings_schema"),
    "chatdesk.core.config",
)
_CONVERSATION = (
    *("uuid", "chatdesk.core.kinds", "chatdesk.ui.conversation.model"),
    *("chatdesk.ui.conversation.divider", "chatdesk.ui.conversation.wide"),
    *("chatdesk.ui.conversation.view", "chatdesk.ui.find_bar"),
)
_MODEL_CHOICE = (
    *("chatdesk.ui.window.assistant_choice", "chatdesk.ui.window.compare_choice"),
    *("chatdesk.ui.window.slash_choice", "chatdesk.ui.window.web_choice"),
    "chatdesk.ui.window.models",
)

# The smallest window whose every control reads whole: the composer's row of controls (the
# model's name among them), the header's title beside its figures, a few lines of conversation.
MINIMUM_SIZE = QSize(560, 420)


class MinimumWidth(QObject):
    """Keeps the window's minimum width at what the composer's row needs, in the language shown
    and with the pills' words of the moment ("Compare · 3"): no narrower than `MINIMUM_SIZE`,
    wider when the row's controls would otherwise cut their words short. Set before the
    window's first show, so the window manager is given it when the window is mapped; raised
    as controls come, never lowered (a control hidden or a word shortened for a moment, while
    the window is being built, would let a resize through)."""

    def __init__(self, window: QWidget, composer: Composer) -> None:
        super().__init__(window)
        self._window, self._composer = window, composer
        composer.installEventFilter(self)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return False

    def fit(self) -> None:
        width = max(MINIMUM_SIZE.width(), self._composer.needed_width())
        if width > self._window.minimumWidth():
            self._window.setMinimumSize(width, MINIMUM_SIZE.height())


if TYPE_CHECKING:
    import uuid

    from chatdesk.core.config import Settings
    from chatdesk.core.service import ChatService
    from chatdesk.core.settings_start import StartSettings
    from chatdesk.core.views import ThreadView, Turn
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.sidebar.view import Sidebar
    from chatdesk.ui.window.switch import ServiceSwitch
    from chatdesk.ui.window.temporary import TemporaryChat


class WindowLayout(QMainWindow):
    """The window's parts and their places; what they do with the core is the window's."""

    runner: Runner
    temporary: TemporaryChat  # made with the service
    sidebar: Sidebar
    _service: ChatService | None
    _thread: ThreadView | None

    @property
    def current_thread_id(self) -> uuid.UUID | None:
        return self._thread.id if self._thread else None

    @property
    def saved_thread_id(self) -> uuid.UUID | None:
        """The saved chat shown (None: a new chat, or a temporary one)."""
        temporary = self._service is not None and self.temporary.shown
        return None if temporary or self._thread is None else self._thread.id

    def _leave_temporary(self, then: Callable[[], object]) -> bool:
        """Whether a temporary chat is shown: left first (it may ask), `then` runs after."""
        return self._service is not None and self.temporary.leave_first(then)

    def _make_temporary(self, switch: ServiceSwitch) -> TemporaryChat:
        """The temporary chat, made with the service: its chats called through `switch`."""
        from chatdesk.ui.window.temporary import TemporaryChat

        return TemporaryChat(
            self,
            switch,
            self.runner,
            self.header,
            self.composer,
            self.drafts,
            column=self.panes.column,
            actions=self.menus.actions,
            settings=lambda: self.settings.current,
            current_thread=lambda: self.current_thread_id,
            fresh_chat=self.fresh_chat,
            show_thread=self.show_thread,
            open_view=self.open_view,
            shown_changed=self.temporary_shown,
        )

    def _build(
        self, settings: Settings | SettingsLater | None, save_settings: SaveSettings | None
    ) -> Iterator[None]:
        """The window's parts: what its first frame shows, then the rest, a part per `yield`
        (each a turn of Qt's loop when built later, each well under a frame)."""
        if settings is None:
            from chatdesk.core.config import Settings

            settings = Settings()
        first = settings.first_frame if isinstance(settings, SettingsLater) else settings
        self._build_first_frame(first)
        yield  # the first frame's parts are made; the rest, a part per turn:
        whole = yield from self._build_settings(settings, save_settings)
        yield from qt_classes()
        self.panes.release_kept()  # the rows the last run kept, drawn on the next turn
        yield
        yield from self._build_conversation(whole)
        self.composer.slash  # noqa: B018  (made now, a part of its own: ~5 ms of PySide classes)
        yield
        yield from self._build_model_choice()
        self._build_last()

    def _build_settings(
        self, settings: Settings | SettingsLater, save_settings: SaveSettings | None
    ) -> Generator[None, None, Settings]:
        """The window's settings and Help, a part per turn; returns the whole settings."""
        if isinstance(settings, SettingsLater):  # every setting, read now that the window is up
            yield from imported(*_READING_SETTINGS)
            settings = settings.load()
            yield
        self.settings = WindowSettings(
            self, settings, save_settings, self.composer, self._settings_changed
        )
        yield
        from chatdesk.ui.window.help import HelpActions  # after the first paint

        current = self.settings
        self.help = HelpActions(
            self, lambda: (current.current.general.default_provider, current.current.ui)
        )
        yield
        return settings

    def _build_conversation(self, settings: Settings) -> Iterator[None]:
        """The conversation's view, then its read-only banner and find bar."""
        yield from imported(*_CONVERSATION)
        from chatdesk.ui.conversation.model import ConversationModel
        from chatdesk.ui.conversation.view import ConversationView
        from chatdesk.ui.find_bar import FindBar
        from chatdesk.ui.window.read_only import ReadOnlyBanner

        self.conversation = ConversationModel(self)
        self.view = ConversationView(self.conversation, self.panes.right)  # made in place
        self.view.set_measure(measure_of(settings.ui))
        self.view.blank_changed.connect(self._blank_changed)
        self.view.page_shown.connect(self.panes.release_paint)
        yield
        self.read_only = ReadOnlyBanner(self.panes.right)
        self.find_bar = FindBar(
            lambda: [b for w in self.view.widgets for b in (*w.lead.shown(), w.body)],
            self.panes.right,
        )
        self.panes.show_conversation(self.read_only, self.view, self.find_bar)
        yield

    def _build_model_choice(self) -> Iterator[None]:
        """The model, assistant and compare choice, the header naming what was chosen."""
        yield from imported(*_MODEL_CHOICE)
        from chatdesk.ui.window.models import ModelChoice

        self.models = ModelChoice(
            self.composer,
            self.settings,
            lambda: self._thread,
            (self.greeting, self.suggestions),
            self.view.speakers,
        )
        from chatdesk.ui.window.suggested import take  # a part after the first paint

        assistants = self.models.assistants
        self.suggestions.chosen.connect(
            lambda suggestion: take(suggestion, self.composer, assistants, self.sending)
        )
        self.composer.model_changed.connect(self._choose_model)
        self.composer.assistant_changed.connect(lambda _: self._show_header())
        self.models.assistants.loaded.append(self._show_header)  # its name, once read (again)
        self.models.show()
        yield

    def _build_last(self) -> None:
        """The last part: the menus' entries, and the header's icon (after the first paint)."""
        self.menus.add_entries(self.sending.stop, (self.view, self.header))
        self.header.draw_icons()

    def _build_first_frame(self, first: Settings | StartSettings) -> None:
        """What the first frame shows: the header, the composer taking typing, the status bar."""
        self.setStyleSheet(window_style())  # first: each part is styled once, as it is made
        self.setWindowTitle("chatdesk")
        self.resize(1100, 740)
        self.menus = WindowMenus(self)  # their titles; the entries come last
        self.panes = Panes(self)
        self.splitter = self.panes.splitter
        self.header = ThreadHeader(self.panes.right)
        self.greeting = Greeting(self.panes.right)  # a new chat's welcome: the first frame's
        self.composer = Composer(self.panes.right, enter_sends=first.ui.enter_sends)
        self.suggestions = Suggestions(self.panes.right)  # filled once the core is attached
        self.panes.fill_column(self.header, self.greeting, self.composer, self.suggestions)
        self.suggestions.after = lambda: self.composer.tab_chain()[-1]
        self._measure_column(measure_of(first.ui))
        self.header.show_side.clicked.connect(self.panes.toggle_side)
        self.panes.side_shown = lambda shown: self.header.show_side.setHidden(shown)
        self.setMinimumSize(MINIMUM_SIZE)
        MinimumWidth(self, self.composer)
        self.drafts = Drafts(
            self.composer,
            service=lambda: self._service,
            runner=lambda: self.runner,
            current_thread=lambda: self.current_thread_id,
        )
        self.composer.draft_changed.connect(self.drafts.save)
        self.close_guard = CloseGuard(self, self.drafts)
        self.sending = Sending(
            self.composer,
            self.statusBar(),
            lambda: self.models,
            lambda: self._thread,
            self._sent,
            self,
        )
        self.provider_status, self.background_status = ProviderStatus(), BackgroundStatus()
        for status in (self.provider_status, self.background_status):
            self.statusBar().addPermanentWidget(status)
        # The default model, as the model choice shows it until the core is attached.
        key, label = model_entry(first.general.default_provider, first.general.default_model)
        self.composer.set_models([(key, label)], key)
        self.composer.focus_editor()  # typing goes to the composer from the first paint on
        ThemeWatcher.of(_app()).changed.connect(self._theme_changed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Its size now, not the event's: one posted at the first show may come after the
        # platform resized the window.
        if self.minimumSize().boundedTo(self.size()) != self.minimumSize():
            # Made smaller than its minimum by the platform (X11 without a window manager, or
            # one that ignores the size hints): Qt takes the size as given, so it is put back.
            QTimer.singleShot(0, self, self._hold_minimum)
        self.panes.fit_width(event.size().width())

    def _hold_minimum(self) -> None:
        self.resize(self.size().expandedTo(self.minimumSize()))

    def _measure_column(self, measure: int) -> None:
        """The reading column's measure (`measure_of`) for the parts of the first frame that
        stand in it (the conversation's view takes it when it is made)."""
        self.composer.column.set_measure(measure)
        self.greeting.set_measure(measure)
        self.suggestions.set_measure(measure)

    def _blank_changed(self, blank: bool) -> None:
        """The welcome while the chat shown has no message, else the conversation; leaving the
        welcome while the conversation's page is still being built (it paints nothing until
        then), the column holds its frame until that page is ready (`page_shown`)."""
        self.panes.show_welcome(blank, hold_paint=not blank and not self.view.updatesEnabled())

    def fresh_chat(self) -> None:
        """A new chat shown, the chat left keeping nothing (a temporary one starts or ends)."""
        self.models.new_chat(None)
        self._open(None)

    def open_view(self, thread: ThreadView) -> None:
        """Show `thread`, read already from the service in use (a temporary chat's too)."""
        self._open(thread)

    def temporary_shown(self) -> None:
        """A temporary chat is shown, or no longer is."""
        self._show_header()
        self._update_thread_actions()
        self.sidebar.select(self.saved_thread_id)
        self.menus.actions["temporary.close_chat"].setEnabled(self.temporary.shown)

    # What the parts call back, made by the window.

    def show_thread(self, thread_id: object) -> None:
        raise NotImplementedError

    def _open(self, thread: ThreadView | None, at: uuid.UUID | None = None) -> None:
        raise NotImplementedError

    def _update_thread_actions(self) -> None:
        raise NotImplementedError

    def _sent(self, turn: Turn) -> None:
        raise NotImplementedError

    def _choose_model(self, key: str) -> None:
        raise NotImplementedError

    def _show_header(self) -> None:
        raise NotImplementedError

    def _settings_changed(self) -> None:
        raise NotImplementedError

    def _theme_changed(self) -> None:
        raise NotImplementedError


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
