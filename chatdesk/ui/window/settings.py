"""The settings the window runs with: the preferences window that edits them (each change is
applied as it is made), and what changes when they are applied — the look, the composer's Enter
key, the next answer, team sync's server or login — before they are saved off the GUI thread,
one write at a time, the last applied winning."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QStatusBar, QWidget
from shiboken6 import Shiboken

from chatdesk.core.i18n import tr
from chatdesk.core.settings_start import StartSettings
from chatdesk.ui.composer import Composer
from chatdesk.ui.theme import ThemeWatcher

if TYPE_CHECKING:  # the settings' schema loads after the window's first paint (SettingsLater)
    from chatdesk.api.surface import ApiCore
    from chatdesk.core.config import Settings
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.secrets import KeyStore, SessionKeys
    from chatdesk.core.service import ChatService
    from chatdesk.core.store.backups import Backups
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.ui.preferences import PreferencesDialog
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.local_api import LocalApi

SaveSettings = Callable[["Settings"], None]


@runtime_checkable
class OpensChats(Protocol):
    """A window that shows a chat, or a message in its chat (Memory's "Open chat")."""

    def show_thread(self, thread_id: object) -> None: ...

    def open_message(self, thread_id: object, message_id: object) -> None: ...


# The zoom's steps, in percent, within the setting's bounds ([ui] zoom: 50 to 200).
ZOOM_STEPS = (50, 67, 75, 80, 90, 100, 110, 125, 150, 175, 200)


@dataclass(frozen=True)
class SettingsLater:
    """The settings of a window shown before they are all read: its first frame is made with
    `first_frame`, and `load()` reads every setting on the first turn after that frame."""

    first_frame: StartSettings
    load: Callable[[], Settings]


class WindowSettings:
    def __init__(
        self,
        window: QWidget,
        settings: Settings,
        save: SaveSettings | None,
        composer: Composer,
        changed: Callable[[], object],
    ) -> None:
        """`save` writes settings to disk (None: they are not kept); `changed()` is called once
        new settings are in use, for the window to show what they change."""
        self.current = settings
        self._window = window
        self._save = save
        self._unsaved: Settings | None = None  # applied, waiting for the write before it
        self._saving = False
        self._composer = composer
        self._changed = changed
        self.followers: list[Callable[[Settings], object]] = []  # told of settings applied
        self.dialog_made: list[Callable[[PreferencesDialog], object]] = []  # told of each new one
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self._profiles: ProviderManager | None = None
        self._backups: Backups | None = None
        self._data_folder: Path | None = None
        self._team: TeamSync | None = None
        self.dialog: PreferencesDialog | None = None  # the one opened last
        self._section = 0  # the preferences reopen on the section shown last
        self._language = settings.ui.language  # the one chatdesk speaks until it starts again
        # The window's "Connect a model" page, offered from the Providers tab (set on attach).
        self.connect_model: Callable[[], None] | None = None
        self.local_api: LocalApi | None = None  # the API the window serves (serve_api)
        self.keys: KeyStore | SessionKeys | None = None  # the keyring (serve_api), for Web's keys

    def attach(
        self,
        service: ChatService,
        runner: Runner,
        *,
        profiles: ProviderManager | None,
        backups: Backups | None,
        data_folder: Path | None,
        team: TeamSync | None,
    ) -> None:
        """The core's parts the preferences manage; without one, its tab says so."""
        self._service, self._runner = service, runner
        self._profiles, self._backups, self._data_folder = profiles, backups, data_folder
        self._team = team

    def serve_api(
        self, core: ApiCore, keys: KeyStore | SessionKeys, status_bar: QStatusBar
    ) -> None:
        """Serve the local API as the settings say, now and after each change (its modules
        load only once it is on); it stops with the window's Runner, before the core closes."""
        from chatdesk.ui.window.local_api import LocalApi

        assert self._runner is not None, "attach() first"
        self.keys = keys  # the web engines' keys are kept there too (Preferences ▸ Web)
        opened = functools.partial(self.open_preferences, api_tab=True)
        self.local_api = LocalApi(core, keys, self._runner, status_bar, opened)
        self.local_api.apply(self.current.api)

    def open_preferences(
        self,
        *,
        team_tab: bool = False,
        api_tab: bool = False,
        memory_tab: bool = False,
        tools_server: str | None = None,
        sign_in: bool = False,
    ) -> None:
        """Show the preferences beside the window (the open one, when they are open already);
        with `tools_server`, at that tool server in Tools, its sign-in started with `sign_in`."""
        if self._service is None or self._runner is None:
            return
        dialog = self.dialog
        if dialog is not None and Shiboken.isValid(dialog) and dialog.isVisible():
            dialog.raise_()  # open already, behind the window: brought to the front
            dialog.activateWindow()
        else:
            dialog = self._make_preferences(self._service, self._runner)
            dialog.tabs.setCurrentIndex(self._section)
            dialog.show()
        if team_tab:
            dialog.tabs.setCurrentWidget(dialog.team)
        if api_tab:
            dialog.tabs.setCurrentWidget(dialog.api)
        if memory_tab:
            dialog.tabs.setCurrentWidget(dialog.memory)
        if tools_server is not None:
            dialog.tabs.setCurrentWidget(dialog.tools)
            dialog.tools.show_server(tools_server, sign_in=sign_in)

    def _make_preferences(self, service: ChatService, runner: Runner) -> PreferencesDialog:
        from chatdesk.ui.preferences import PreferencesDialog  # its pages load when first opened
        from chatdesk.ui.settings.memory_calls import memory_names

        dialog = PreferencesDialog(
            self.current,
            self._window,
            runner=runner,
            providers=self._profiles,
            backups=self._backups,
            data_folder=self._data_folder,
            usage=service.usage_by_month,
            spending=service.spending.overview,
            models=service.known_models,
            team=self._team,
            tools=service.tools,
            assistants=service.assistants,
            knowledge=service.knowledge,
            events=service.events.subscribe,
            embedders=service.knowledge.embedders,
            running_language=self._language,
            local_api=self.local_api,
            keys=self.keys,
            memory=service.memory,
            named=functools.partial(memory_names, service),
            open_chat=self._open_chat if isinstance(self._window, OpensChats) else None,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.edited.connect(lambda: self._edited(dialog))
        dialog.tabs.currentChanged.connect(self._remember_section)
        dialog.team.login_applied.connect(self._team_login_applied)
        dialog.providers.connect_requested.connect(lambda: self._connect_model(dialog))
        self.dialog = dialog
        for told in self.dialog_made:
            told(dialog)
        return dialog

    def _open_chat(self, thread_id: object, message_id: object | None) -> None:
        """Show a chat at a message (a memory's origin) in the window, brought to the front."""
        window = self._window
        assert isinstance(window, OpensChats)
        if message_id is None:
            window.show_thread(thread_id)
        else:
            window.open_message(thread_id, message_id)
        self._window.raise_()
        self._window.activateWindow()

    def _remember_section(self, index: int) -> None:
        self._section = index

    def _edited(self, dialog: PreferencesDialog) -> None:
        """A setting changed in the preferences: in use now, and saved."""
        settings = dialog.settings_from(self.current)
        if settings != self.current:
            self.apply(settings)

    def _connect_model(self, dialog: PreferencesDialog) -> None:
        """The Providers tab's "Connect a model…": the dialog gives way to the window's page."""
        dialog.reject()
        if self.connect_model is not None:
            self.connect_model()

    def apply(self, settings: Settings, *, sync_password: str | None = None) -> None:
        """Use `settings` from now on (the next answer already) and save them. Another team
        server or login (or a new password for it) reconnects team sync."""
        changed_login = settings.sync != self.current.sync or sync_password
        if self._team is not None and self._runner is not None and changed_login:
            self._runner.run(self._team.apply_login(settings.sync, sync_password))
        self.current = settings
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        ui = settings.ui
        ThemeWatcher.of(app).apply(ui.theme, ui.font_size, ui.zoom)
        self._composer.set_enter_sends(settings.ui.enter_sends)
        if self._service is not None:
            self._service.update_settings(settings)
        if self.local_api is not None:
            self.local_api.apply(settings.api)
        self._changed()
        for follower in self.followers:
            follower(settings)
        if self._save is not None and self._runner is not None:  # it syncs to disk: not here
            self._unsaved = settings
            if not self._saving:
                self._saving = True
                self._runner.run(self._write(self._save, self._runner))

    async def _write(self, save: SaveSettings, runner: Runner) -> None:
        """Save the settings applied last, one write at a time: two writes on two threads
        (zoom keys pressed in a row) could end in the older one's order, the file left behind."""
        try:
            while self._unsaved is not None:
                settings, self._unsaved = self._unsaved, None
                await runner.off_thread(save, settings)
        finally:
            self._saving = False

    # -- zoom (View ▸ Zoom in, Zoom out, Actual size) ------------------------------------------

    def zoom_in(self) -> None:
        self.zoom_to(next((z for z in ZOOM_STEPS if z > self.current.ui.zoom), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        lower = [z for z in ZOOM_STEPS if z < self.current.ui.zoom]
        self.zoom_to(lower[-1] if lower else ZOOM_STEPS[0])

    def actual_size(self) -> None:
        self.zoom_to(100)

    def zoom_to(self, percent: int) -> None:
        """Show the window's text at `percent` of its size from now on, and keep it so."""
        if percent != self.current.ui.zoom:
            self.apply(replace(self.current, ui=replace(self.current.ui, zoom=percent)))
        if isinstance(self._window, QMainWindow):
            self._window.statusBar().showMessage(tr("Zoom: {percent} %", percent=percent), 4_000)

    def _team_login_applied(self, sync: object) -> None:
        """The Team tab put a server (or none) in use: save it with the other settings."""
        from chatdesk.core.config import SyncSettings

        assert isinstance(sync, SyncSettings)
        self.current = replace(self.current, sync=sync)  # in use already: not again
        self.apply(self.current)
