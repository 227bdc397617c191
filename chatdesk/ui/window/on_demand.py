"""The window's parts made the first time they are asked for, so that opening the window loads
none of them: the search palette (Ctrl+K), the export and import actions, and windows of
temporary chats."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from PySide6.QtCore import QSize

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.config import Settings
    from chatdesk.core.search import Search
    from chatdesk.core.service import ChatService
    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.search.palette import SearchPalette
    from chatdesk.ui.transfer.actions import TransferActions, TransferFactory


# A window of temporary chats made, shown at a size, a chat kept there shown by the callable.
OpenTemporary = Callable[
    ["TemporaryChats", "Settings", Callable[[object], object], "QSize"], QMainWindow
]


class OnDemand:
    def __init__(
        self,
        window: QMainWindow,
        service: ChatService,
        runner: Runner,
        search: Search | None,
        transfer: TransferFactory | None,
        *,
        show_thread: Callable[[object], object],
        show_message: Callable[[object, object], object],
    ) -> None:
        """Without `search` there is no palette, without `transfer` no export or import. A
        search hit chosen is shown by `show_thread(id)` or `show_message(thread_id, id)`."""
        self._window = window
        self._service = service
        self._runner = runner
        self._search = search
        self._transfer = transfer
        self._show_thread = show_thread
        self._show_message = show_message
        self.palette: SearchPalette | None = None
        self.transfers: TransferActions | None = None
        # Makes temporary chats and the settings their window starts with (set by the app;
        # None: this window offers none).
        self.temporary: (
            Callable[[], tuple[Coroutine[Any, Any, TemporaryChats], Settings]] | None
        ) = None
        # Opens their window, shown at `size`, a chat kept there shown here (set with
        # `temporary`: the temporary window is a MainWindow, which this part is built by).
        self.temporary_window: OpenTemporary | None = None
        self.temporary_windows: list[QMainWindow] = []

    @property
    def can_search(self) -> bool:
        return self._search is not None

    @property
    def can_transfer(self) -> bool:
        return self._transfer is not None

    def search_palette(self) -> SearchPalette | None:
        if self.palette is None and self._search is not None:
            from chatdesk.ui.search.palette import SearchPalette

            self.palette = SearchPalette(self._service, self._search, self._runner, self._window)
            self.palette.thread_chosen.connect(self._show_thread)
            self.palette.message_chosen.connect(self._show_message)
        return self.palette

    def transfer_actions(self) -> TransferActions | None:
        if self.transfers is None and self._transfer is not None:
            from chatdesk.ui.transfer.actions import TransferActions

            self.transfers = TransferActions(self._window, self._runner, self._transfer)
        return self.transfers

    def export_all(self) -> None:
        transfers = self.transfer_actions()
        if transfers is not None:
            transfers.export_all()

    def import_file(self) -> None:
        transfers = self.transfer_actions()
        if transfers is not None:
            transfers.import_file()

    def open_temporary(self) -> None:
        """A window of temporary chats (Ctrl+Shift+N); a chat kept there is shown here."""
        if self.temporary is None or self.temporary_window is None:
            self._window.statusBar().showMessage(
                tr("Temporary chats cannot be opened here."), 8_000
            )
            return
        making, settings = self.temporary()
        self._runner.run(
            making, done=lambda chats: self._show_temporary(chats, settings), owner=self._window
        )

    def _show_temporary(self, chats: TemporaryChats, settings: Settings) -> None:
        assert self.temporary_window is not None
        window = self.temporary_window(chats, settings, self._show_thread, self._window.size())
        self.temporary_windows = [w for w in self.temporary_windows if w.isVisible()] + [window]
