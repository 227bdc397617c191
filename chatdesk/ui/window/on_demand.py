"""The window's parts made the first time they are asked for, so that opening the window loads
none of them: the search palette (Ctrl+K), the export and import actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from chatdesk.core.search import Search
    from chatdesk.core.service import ChatService
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.search.palette import SearchPalette
    from chatdesk.ui.transfer.actions import TransferActions, TransferFactory


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
