"""Preferences (Ctrl+,): Appearance, Chat, Providers, Data, Usage, Tools, Web, Assistants,
Knowledge, Memory, Team, Local API, Voice and Desktop, one section each, listed on the left
and searchable by their settings' words.

A window beside the main one, with no OK or Cancel: every change is in use as it is made
(`edited` is emitted; `settings_from(current)` holds it, for the window to apply and save),
within the rules of `chatdesk/ui/settings/live_fields.py`. Providers, Tools, Assistants,
Knowledge and Memory act at once through the core objects the window passes in; each of those
may be None, and its section then says what cannot be done in this session. Team's login is
used from its own Join button (it connects to a server). A removal that can be taken back
offers Undo in the bar at the bottom; Close, Esc and Ctrl+W close the window.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import Settings
from chatdesk.core.i18n import tr
from chatdesk.ui.settings.appearance_page import THEME_CHOICES, AppearancePage
from chatdesk.ui.settings.chat_page import ChatPage, ModelPairs
from chatdesk.ui.settings.live_fields import watch
from chatdesk.ui.settings.notices import notice_style
from chatdesk.ui.settings.sections import SettingsSections
from chatdesk.ui.sidebar.widgets import NoticeBar
from chatdesk.ui.theme import ThemeWatcher, current_look, is_dark
from chatdesk.ui.theme.icons import set_icon

if TYPE_CHECKING:
    from chatdesk.core.assistants.service import Assistants
    from chatdesk.core.knowledge.service import Knowledge
    from chatdesk.core.memory.service import Memories
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.store.backups import Backups
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.tools.service import Tools
    from chatdesk.core.web.searching import Keys
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.settings.api_state import ServedApi
    from chatdesk.ui.settings.knowledge_page import Subscribe
    from chatdesk.ui.settings.knowledge_sources import Embedders
    from chatdesk.ui.settings.memory_calls import ReadNamed
    from chatdesk.ui.settings.memory_page import OpenChat
    from chatdesk.ui.settings.usage_view import SpendingQuery, UsageQuery

__all__ = ["THEME_CHOICES", "PreferencesDialog"]


class PreferencesDialog(QDialog):
    profiles_changed = Signal()  # a profile was saved or removed (it is in use already)
    edited = Signal()  # a setting changed: `settings_from(current)` holds it

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        runner: Runner | None = None,
        providers: ProviderManager | None = None,
        backups: Backups | None = None,
        data_folder: Path | None = None,
        usage: UsageQuery | None = None,
        spending: SpendingQuery | None = None,
        models: ModelPairs = (),
        team: TeamSync | None = None,
        tools: Tools | None = None,
        assistants: Assistants | None = None,
        knowledge: Knowledge | None = None,
        events: Subscribe | None = None,  # the core's events, for the Knowledge tab
        embedders: Embedders | None = None,
        running_language: str | None = None,  # the language chatdesk started in
        local_api: ServedApi | None = None,  # the API the window serves
        keys: Keys | None = None,  # where the web engines' keys are kept
        memory: Memories | None = None,
        named: ReadNamed | None = None,  # the assistants' and projects' names, for Memory
        open_chat: OpenChat | None = None,  # the window's, for a memory's chat
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle(tr("Preferences"))
        self.setModal(False)  # the conversation stays readable and usable beside it
        self.setMinimumWidth(560)
        self.resize(720, 470)  # the usage table's seven columns need the width
        self._add_first_tabs(models, running_language)
        self._add_acting_tabs(runner, providers, backups, data_folder, (usage, spending))
        self._add_tools_tab(tools, runner)
        self._add_web_tab(keys, runner)
        self._add_assistants_tab(assistants, tools, models, runner, knowledge)
        self._add_knowledge_tab(knowledge, runner, events, embedders, models)
        self._add_memory_tab(memory, runner, events, embedders, (named, open_chat))
        self._add_team_tab(team, runner)
        self._add_api_tab(local_api)
        self._add_voice_tab(providers)
        self._add_desktop_tab()
        self._lay_out()
        self._watchers = self._watch()
        self._follow_theme()

    def _add_first_tabs(self, models: ModelPairs, running_language: str | None) -> None:
        """The sections' list, and its first two: Appearance and Chat."""
        settings = self._settings
        self.appearance = AppearancePage(settings.ui, self, running_language=running_language)
        self.chat = ChatPage(settings.general, settings.ui, models, self, chat=settings.chat)
        self.tabs = SettingsSections(self)
        self.tabs.setObjectName("preferencesTabs")
        self._add_tab(self.appearance, tr("&Appearance"), "appearance")
        self._add_tab(self.chat, tr("C&hat"), "chat")

    def _lay_out(self) -> None:
        """The sections over the undo bar and Close, the dialog wide enough for the list of
        sections beside a page."""
        self.resize(max(self.width(), self.tabs.list.width() + 720), self.height())
        self.undo_bar = self._undo_bar()
        buttons = self._close_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.undo_bar)
        layout.addWidget(buttons)

    def _undo_bar(self) -> NoticeBar:
        """The bar that offers Undo after a removal that can be taken back."""
        bar = NoticeBar(self)
        bar.setObjectName("settingsUndo")
        set_icon(bar.dismiss, "close", current_look(), "text")
        bar.label.setAccessibleDescription(tr("The result of the last removal here."))
        self.assistants.undoable.connect(self._offer_undo)
        self.memory.undoable.connect(self._offer_undo)
        return bar

    def _close_buttons(self) -> QDialogButtonBox:
        """Close, with Esc, Ctrl+W and the system's Close keys: there is nothing to confirm."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        close.setText(tr("Close"))
        close.setObjectName("closeSettings")
        set_icon(close, "close", current_look(), "text")  # the look's own, not the style's cross
        close.setAutoDefault(False)  # Enter in a field applies it; it does not close
        buttons.rejected.connect(self.reject)
        # Esc is the dialog's own; Ctrl+W, and the system's Close keys where they differ.
        keys = {QKeySequence("Ctrl+W"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Close)}
        for sequence in keys:
            QShortcut(sequence, self, self.reject)
        return buttons

    def _add_tab(self, page: QWidget, title: str, icon_name: str) -> None:
        """`page` under `title`, with its icon (resources/ui-icons/) beside it."""
        index = self.tabs.addTab(page, title)
        self.tabs.set_section_icon(index, icon_name)

    def _add_acting_tabs(
        self,
        runner: Runner | None,
        providers: ProviderManager | None,
        backups: Backups | None,
        data_folder: Path | None,
        queries: tuple[UsageQuery | None, SpendingQuery | None],
    ) -> None:
        # Imported when the dialog opens, not with the window: the window paints first.
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.data_page import DataPage
        from chatdesk.ui.settings.providers_page import ProvidersPage
        from chatdesk.ui.settings.usage_view import UsagePage

        runner = runner or Runner(self)

        self.providers = ProvidersPage(providers, runner, self)
        self.providers.profiles_changed.connect(self.chat.refresh_models)
        self.providers.profiles_changed.connect(self.profiles_changed)
        self.data = DataPage(data_folder, backups, runner, self, storage=self._settings.storage)
        usage, spending = queries
        self.usage = UsagePage(usage, runner, self, caps=self._settings.caps, spending=spending)
        self._add_tab(self.providers, tr("&Providers"), "providers")
        self._add_tab(self.data, tr("&Data"), "data")
        self._add_tab(self.usage, tr("&Usage"), "usage")

    def _add_tools_tab(self, tools: Tools | None, runner: Runner | None) -> None:
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.tools_page import ToolsPage

        self.tools = ToolsPage(tools, runner or Runner(self), self)
        self._add_tab(self.tools, tr("T&ools"), "tools")

    def _add_web_tab(self, keys: Keys | None, runner: Runner | None) -> None:
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.web_page import WebPage

        self.web = WebPage(self._settings.web, keys, runner or Runner(self), self)
        # No Alt+letter, as Local API: its letters are the other sections' or their pages'.
        self._add_tab(self.web, tr("Web"), "web")

    def _add_assistants_tab(
        self,
        assistants: Assistants | None,
        tools: Tools | None,
        models: ModelPairs,
        runner: Runner | None,
        knowledge: Knowledge | None,
    ) -> None:
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.assistants_page import AssistantsPage, tool_servers

        servers = None if tools is None else (lambda: tool_servers(tools))
        self.assistants = AssistantsPage(
            assistants,
            runner or Runner(self),
            self,
            models=models,
            servers=servers,
            knowledge=knowledge,
        )
        self._add_tab(self.assistants, tr("A&ssistants"), "assistant")

    def _add_knowledge_tab(
        self,
        knowledge: Knowledge | None,
        runner: Runner | None,
        events: Subscribe | None,
        embedders: Embedders | None,
        models: ModelPairs,
    ) -> None:
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.knowledge_page import KnowledgePage

        self.knowledge = KnowledgePage(
            knowledge,
            runner or Runner(self),
            self,
            subscribe=events,
            embedders=embedders,
            models=models,
        )
        self._add_tab(self.knowledge, tr("&Knowledge"), "knowledge")

    def _add_memory_tab(
        self,
        memory: Memories | None,
        runner: Runner | None,
        events: Subscribe | None,
        embedders: Embedders | None,
        window: tuple[ReadNamed | None, OpenChat | None],
    ) -> None:
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.memory_page import MemoryPage

        named, open_chat = window
        self.memory = MemoryPage(
            memory,
            self._settings.memory,
            runner or Runner(self),
            self,
            subscribe=events,
            embedders=embedders,
            named=named,
            open_chat=open_chat,
        )
        # No Alt+letter, as Web: its letters are the other sections' or their pages'.
        self._add_tab(self.memory, tr("Memory"), "sparkles")

    def _add_team_tab(self, team: TeamSync | None, runner: Runner | None) -> None:
        from chatdesk.ui.runner import Runner
        from chatdesk.ui.settings.team_page import TeamPage

        self.team = TeamPage(team, self._settings.sync, runner or Runner(self), self)
        self._add_tab(self.team, tr("&Team"), "team")

    def _add_api_tab(self, served: ServedApi | None) -> None:
        from chatdesk.ui.settings.api_page import ApiPage

        general = self._settings.general
        model = f"{general.default_provider}/{general.default_model}"
        self.api = ApiPage(self._settings.api, served, model, self)
        # No Alt+letter: every letter of its name is taken by another section or page.
        self._add_tab(self.api, tr("Local API"), "api")

    def _add_voice_tab(self, providers: ProviderManager | None) -> None:
        from chatdesk.ui.settings.voice_page import VoicePage

        views = providers.views() if providers is not None else []
        servers = [(view.name, view.profile.base_url) for view in views]
        self.voice = VoicePage(self._settings.voice, servers, self)
        # No Alt+letter: V is Advanced's and Save's on other pages, the others are taken.
        self._add_tab(self.voice, tr("Voice"), "voice")

    def _add_desktop_tab(self) -> None:
        from chatdesk.ui.settings.desktop_page import DesktopPage

        self.desktop = DesktopPage(self._settings.desktop, self)
        # No Alt+letter, as Web: its letters are the other sections' or their pages'.
        self._add_tab(self.desktop, tr("Desktop"), "desktop")

    def _follow_theme(self) -> None:
        """Styled for the look now, and again whenever it changes."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self._restyle(is_dark(app))
        ThemeWatcher.of(app).changed.connect(self._restyle)

    def _restyle(self, dark: bool) -> None:
        self.setStyleSheet(notice_style(dark))

    def _watch(self) -> list[QObject]:
        """Every setting on the pages tells the window when it holds a value to use."""
        chat, data, caps = self.chat, self.data, self.usage.caps
        controls: list[QWidget] = [
            *self.appearance.controls(),
            *chat.controls(),
            data.automatic,
            data.retention,
            *(caps.monthly, caps.per_chat, caps.warn_at, caps.send_cost),
            *self.api.controls(),
            *self.web.controls(),
            *self.memory.controls(),
            *self.voice.controls(),
            *self.desktop.controls(),
        ]
        return watch(controls, self.edited.emit)

    def _offer_undo(self, said: str, undo: object) -> None:
        assert callable(undo)
        self.undo_bar.show_notice(said, action=tr("Undo"), on_action=undo, seconds=10)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the button that has the focus, never another one: with no OK button,
        the dialog's fallback would be the first button of the page (Providers' Add…)."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not isinstance(self.focusWidget(), QPushButton):
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Close; a text box being edited is applied first (it applies as the focus leaves)."""
        self.edited.emit()
        super().reject()

    def settings_from(self, base: Settings) -> Settings:
        """`base` with what the pages show now (the team's login is applied by its Join)."""
        ui = replace(
            base.ui,
            language=self.appearance.language(),
            theme=self.appearance.theme(),
            font_size=self.appearance.font_size(),
            column_width=self.appearance.column_width(),
            enter_sends=self.chat.enter_sends(),
        )
        general = self.chat.general(base.general)
        chat = self.chat.chat(base.chat)
        storage = self.data.storage(base.storage)
        caps = self.usage.caps.caps(base.caps)
        api = self.api.api(base.api)
        edited = replace(base, ui=ui, general=general, chat=chat, storage=storage, caps=caps)
        memory = self.memory.memory(base.memory)
        voice = self.voice.voice_settings(base.voice)
        desktop = self.desktop.desktop(base.desktop)
        web = self.web.web(base.web)
        return replace(edited, api=api, web=web, memory=memory, voice=voice, desktop=desktop)

    def font_size(self) -> int:
        return self.appearance.font_size()
