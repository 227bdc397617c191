"""The window's "Connect a model" page (chatdesk/ui/connect/): offered in place of the
conversation at the first start (no provider set up, the demo not chosen), and again from
File ▸ Connect a model. A model connected becomes the default of new chats; the demo chosen is
remembered, and the page is not offered at start again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.ui.connect.page import ConnectPage, FindServers
    from chatdesk.ui.header import ThreadHeader
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.panes import Panes
    from chatdesk.ui.window.settings import WindowSettings


class Connecting:
    def __init__(
        self,
        panes: Panes,
        settings: WindowSettings,
        manager: ProviderManager | None,
        runner: Runner,
        new_chat: Callable[[], None],
        find: FindServers | None = None,
    ) -> None:
        """The page goes in the chat's place in `panes` (the welcome or the conversation, and
        the composer), which comes back when it closes; `header`, when given, names it
        meanwhile. `find` looks for local servers (default: Ollama and LM Studio on their usual
        ports)."""
        self._panes = panes
        self.header: ThreadHeader | None = None
        self._settings = settings
        self._manager = manager
        self._runner = runner
        self._new_chat = new_chat
        self._find = find
        self.page: ConnectPage | None = None

    @property
    def available(self) -> bool:
        return self._manager is not None

    def offer_at_start(self, demo_chosen: bool) -> None:
        """At the first start: offer the page when no provider is set up and the demo was not
        chosen before."""
        if self._manager is not None and not self._manager.views() and not demo_chosen:
            self.offer()

    def offer(self) -> None:
        """Show the page in place of the conversation (again, if it is shown)."""
        if self._manager is None:
            return
        if self.page is None:
            from chatdesk.ui.connect.page import ConnectPage

            find = self._find or self._manager.local_servers
            self.page = ConnectPage(self._manager, self._runner, find)
            self.page.setParent(self._panes.right)
            self.page.connected.connect(self._connected)
            self.page.demo_chosen.connect(self._demo_chosen)
            self._panes.column.insertWidget(self._panes.chat_place(), self.page, 1)
        self._panes.hide_chat(True)
        # translators: the header and the window's title while the Connect a model page shows
        title = tr("Connect a model")
        if self.header is not None:
            self.header.show_page(title)
        self.page.window().setWindowTitle(f"{title} — chatdesk")
        self.page.show()
        self.page.look()
        self.page.demo.setFocus()

    def close(self) -> None:
        page, self.page = self.page, None
        if page is None:
            return
        self._panes.column.removeWidget(page)
        page.hide()
        page.deleteLater()
        self._panes.hide_chat(False)
        if self.header is not None:
            self.header.show_page(None)  # the chat shown next gives the window its title

    def _connected(self, provider: str, model: str) -> None:
        current = self._settings.current
        general = replace(current.general, default_provider=provider, default_model=model)
        self._settings.apply(replace(current, general=general))
        self.close()
        self._new_chat()

    def _demo_chosen(self) -> None:
        current = self._settings.current
        if not current.ui.offline_demo:
            self._settings.apply(replace(current, ui=replace(current.ui, offline_demo=True)))
        self.close()
        self._new_chat()  # the message box has the keys: the next thing typed is a question
