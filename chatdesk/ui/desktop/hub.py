"""What the running chatdesk offers the ways in from outside its window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

if TYPE_CHECKING:  # the first frame loads this module: nothing more than it needs
    import uuid

    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.ui.main_window import MainWindow
    from chatdesk.ui.quick.asking import QuickAsk


class Desktop(QObject):
    """The running chatdesk, as a second start, the shortcut, the tray and links ask it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.quick: QuickAsk | None = None  # the quick window, made when first asked for

    def show_window(self) -> None:
        """The main window, shown in front (un-minimised, raised, focused)."""
        window = self._window
        state = window.windowState() & ~Qt.WindowState.WindowMinimized
        window.setWindowState(state | Qt.WindowState.WindowActive)
        window.show()
        window.raise_()
        window.activateWindow()

    def quick_ask(self) -> None:
        """The quick window, shown in front with its question focused (made on first use:
        start-up does not pay for it). Asked before the core is attached: the main window
        instead, which takes typing until then."""
        if getattr(self._window, "runner", None) is None:
            self.show_window()
            return
        if self.quick is None:
            self.quick = self._make_quick()
        self.quick.present()

    def _make_quick(self) -> QuickAsk:
        from chatdesk.ui.quick.asking import QuickAsk

        window = self._window
        return QuickAsk(
            window.switch.saved,  # the saved chats' service, whatever the window shows
            window.runner,
            lambda: window.settings.current,
            window.temporary.make,
            self._open_thread,
            self._adopt,
            window.formatter,
        )

    def _open_thread(self, thread_id: uuid.UUID) -> None:
        self.show_window()
        self._window.show_thread(thread_id)

    def _adopt(self, chats: TemporaryChats, thread_id: uuid.UUID) -> None:
        self.show_window()
        self._window.temporary.adopt(chats, thread_id)

    def start(self) -> None:
        """Once the core is attached: the parts that listen for the user outside the window."""

    def close(self) -> None:
        """Before the core closes."""

    async def aclose(self) -> None:
        """Before the window's work closes: the quick window's temporary chats go."""
        if self.quick is not None:
            await self.quick.aclose()
