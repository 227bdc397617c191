"""Close to tray (`[desktop] close_to_tray`, with chatdesk's icon in the tray): the window's
close button hides the window and chatdesk keeps running (answers stream on, drafts stay in
their composer); File ▸ Quit, Ctrl+Q and the tray's Quit end it.

Quit (the tray's, and File ▸ Quit with Ctrl+Q, which this part hands to `Desktop.quit`) says
so before it closes the window: that close passes through to the window's own, its guards
included. The first hide of a run says where chatdesk went.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.ui.desktop.notices import Notices
    from chatdesk.ui.desktop.tray import Tray
    from chatdesk.ui.main_window import MainWindow


class CloseToTrayHub(Protocol):
    """What closing to the tray asks of the running chatdesk (`Desktop`, `hub.py`)."""

    @property
    def quitting(self) -> bool: ...

    @property
    def tray(self) -> Tray | None: ...

    @property
    def notices(self) -> Notices | None: ...

    def quit(self) -> None: ...


class CloseToTray(QObject):
    def __init__(self, window: MainWindow, desktop: CloseToTrayHub) -> None:
        super().__init__(window)
        self._window = window
        self._desktop = desktop
        self.enabled = False
        self.told = False  # the user was told, this run, that chatdesk went to the tray
        window.installEventFilter(self)
        quit_entry = window.menus.actions.get("close")  # File ▸ Quit, Ctrl+Q
        if quit_entry is not None:
            quit_entry.triggered.disconnect()
            quit_entry.triggered.connect(lambda _=False: desktop.quit())

    def active(self) -> bool:
        tray = self._desktop.tray
        return self.enabled and tray is not None and tray.shown

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        closing = watched is self._window and event.type() == QEvent.Type.Close
        if closing and not self._desktop.quitting and self.active():
            event.ignore()
            self._window.hide()
            self._tell()
            return True
        return False

    def _tell(self) -> None:
        if self.told:
            return
        self.told = True
        title = tr("chatdesk is still running")
        body = tr("It is in the tray. Choose Quit in its menu, or press Ctrl+Q, to end it.")
        notices = self._desktop.notices
        if notices is None or not notices.tell(title, body):
            self._window.statusBar().showMessage(f"{title}. {body}", 15_000)
