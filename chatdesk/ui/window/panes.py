"""The window's two panes: the thread sidebar beside the conversation column (header, messages,
find bar, composer). Until the core is attached the side pane is a placeholder the same size
as the sidebar, which takes its place, size and visibility kept.

A new chat, before its first message, shows its welcome instead of the conversation: the
greeting over the composer, which then stands a little above the middle, and the suggestions
under it (decision 0096). The window's first frame shows it, so nothing moves when the
conversation is built right after that frame (decision 0009). The composer stays one widget
in one place of the column, whichever is shown: what is typed and the keyboard's focus stay
with it. Going from the welcome to a conversation, the column paints nothing until the
conversation's page is ready (`hold_paint`): the next frame shows the messages with the
composer at the foot, never the composer moved over an empty page."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QVBoxLayout, QWidget

from chatdesk.ui.sidebar.placeholder import SidebarPlaceholder

if TYPE_CHECKING:
    from chatdesk.ui.composer import Composer
    from chatdesk.ui.sidebar.snapshot import GroupRow


# A window narrower than this hides its sidebar, which comes back when the window is wide
# again; Ctrl+B, or the header's button, shows it meanwhile.
NARROW = 900


class Panes:
    def __init__(self, window: QMainWindow) -> None:
        """The panes in `window`, made in place from the top down (a widget moved into a
        window later is styled again there: ~4 ms more for the first frame). The column's
        widgets come with `fill_column`."""
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        window.setCentralWidget(self.splitter)
        # Its kept rows wait for `release_kept()`: the window's widget classes are made first.
        self.placeholder: SidebarPlaceholder | None = SidebarPlaceholder(held=True)
        self.splitter.addWidget(self.placeholder)
        self.right = QWidget()  # the column's widgets are made in it
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([270, 830])
        # One colour behind the greeting, the conversation and the composer, as a page's.
        self.right.setBackgroundRole(QPalette.ColorRole.Base)
        self.right.setAutoFillBackground(True)
        self.column = QVBoxLayout(self.right)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(0)
        self._welcome: tuple[QWidget, QWidget] | None = None  # the greeting, the suggestions
        self._conversation: tuple[QWidget, QWidget] | None = None  # the view, the find bar
        self._composer: Composer | None = None
        self.welcoming = True  # a new chat before its first message: its welcome shown
        self._chat_hidden = False  # a page shows in the chat's place (Connect a model)
        self._held = False  # the column paints nothing until the conversation's page is ready
        self._narrow = False
        self._hidden_by_width = False  # the sidebar hid itself: the window became narrow
        self.side_shown: Callable[[bool], object] = lambda _shown: None  # for the header

    def fill_column(
        self, header: QWidget, greeting: QWidget, composer: Composer, suggestions: QWidget
    ) -> None:
        """`header` over the new chat's welcome: `greeting`, `composer` (made in `right`) and
        `suggestions`; the conversation comes with `show_conversation`."""
        self._composer = composer
        self._welcome = (greeting, suggestions)
        self.column.addWidget(header)
        self.column.addWidget(greeting)
        self.column.addWidget(composer)
        self.column.addWidget(suggestions, 1)
        _WelcomeRoom(self.right, header, greeting)

    def show_conversation(self, above: QWidget, view: QWidget, below: QWidget) -> None:
        """`view` over the composer, taking the height the others leave, shown in place of the
        welcome once a chat has messages (`show_welcome`); `above` and `below` it (the
        read-only banner and the find bar, hidden until needed)."""
        assert self._composer is not None, "in a filled column"
        assert self._conversation is None, "the conversation is shown once"
        self._conversation = (view, below)
        place = self.column.indexOf(self._composer)
        self.column.insertWidget(place, below)
        self.column.insertWidget(place, view, 1)
        self.column.insertWidget(place, above)
        self._show_parts()
        self.column.activate()  # in place before the next paint, not at its default size
        # Made after the composer, they come before it when Tab goes down the column.
        chain = [*_tab_stops(view), *_tab_stops(below), *self._composer.tab_chain()]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    def show_welcome(self, shown: bool, *, hold_paint: bool = False) -> None:
        """The welcome in place of the conversation, or the conversation back. `hold_paint`:
        the column paints nothing until `release_paint` (the conversation's page is ready)."""
        if shown == self.welcoming:
            return
        self.welcoming = shown
        if hold_paint and not self._held:
            self._held = True
            self.right.setUpdatesEnabled(False)
        self._show_parts()
        self.column.activate()  # the conversation laid out at its size while its page is built

    def release_paint(self) -> None:
        if self._held:
            self._held = False
            self.right.setUpdatesEnabled(True)

    def hide_chat(self, hidden: bool) -> None:
        """The chat (the welcome or the conversation, and the composer) hidden while a page is
        shown in its place (`chat_place`), or shown again."""
        self._chat_hidden = hidden
        self._show_parts()

    def chat_place(self) -> int:
        """Where in the column a page shown in the chat's place goes."""
        assert self._welcome is not None, "in a filled column"
        return self.column.indexOf(self._welcome[0])

    def _show_parts(self) -> None:
        """Each part of the chat shown or hidden as the state says; the keyboard's focus, in a
        part that went, goes to the composer."""
        assert self._welcome is not None, "in a filled column"
        assert self._composer is not None, "in a filled column"
        chat = not self._chat_hidden
        parts: list[tuple[QWidget, bool]] = [
            (part, chat and self.welcoming) for part in self._welcome
        ]
        if self._conversation is not None:
            view, below = self._conversation
            parts.append((view, chat and not self.welcoming))
            if not chat or self.welcoming:
                parts.append((below, False))
        focus = QApplication.focusWidget()
        lost = focus is not None and any(
            not shown and (part is focus or part.isAncestorOf(focus)) for part, shown in parts
        )
        for part, shown in parts:
            part.setVisible(shown)
        self._composer.setVisible(chat)
        if lost and chat:
            self._composer.focus_editor()

    def side(self) -> QWidget:
        """The sidebar, or its placeholder."""
        panel = self.splitter.widget(0)
        assert panel is not None  # the splitter is made with both of its widgets
        return panel

    def read_kept(self, read: Callable[[], list[GroupRow] | None]) -> None:
        """Before the core is attached: the placeholder shows the rows the last run kept,
        `read()` after the first paint."""
        if self.placeholder is not None:
            self.placeholder.read_kept(read)

    def release_kept(self) -> None:
        """The placeholder may draw its kept rows (see `chatdesk/ui/window/later.py`)."""
        if self.placeholder is not None:
            self.placeholder.release()

    def set_side(self, sidebar: QWidget) -> None:
        self.placeholder = None
        placeholder = self.splitter.replaceWidget(0, sidebar)  # same size and visibility
        if placeholder is not None:  # it has no parent now
            placeholder.deleteLater()

    def toggle_side(self) -> None:
        self._show_side(self.side().isHidden())

    def _show_side(self, shown: bool, *, by_width: bool = False) -> None:
        self._hidden_by_width = by_width and not shown
        self.side().setVisible(shown)
        self.side_shown(shown)

    def side_wanted(self) -> bool:
        """Whether the sidebar is shown, or would be if the window were wider."""
        return not self.side().isHidden() or self._hidden_by_width

    def fit_width(self, width: int) -> None:
        """Hide the sidebar when the window becomes narrow, bring it back when it is wide again
        (unless the user hid or showed it meanwhile)."""
        narrow = width < NARROW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        if narrow and not self.side().isHidden():
            self._show_side(False, by_width=True)
        elif not narrow and self._hidden_by_width:
            self._show_side(True)


# Where the composer's top stands in a new chat, as a share of the window's height: its
# middle a little above the page's, as the peers' new chats have it.
WELCOME_SHARE = 0.42


class _WelcomeRoom(QObject):
    """Keeps the greeting at the height that puts the composer's top at `WELCOME_SHARE` of the
    window's height: the composer stays put as its own height, the header's or the status bar's
    changes (their controls come after the first frame); the suggestions take the rest."""

    def __init__(self, page: QWidget, header: QWidget, greeting: QWidget) -> None:
        super().__init__(page)
        self._page, self._header, self._greeting = page, header, greeting
        page.installEventFilter(self)
        header.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            window = self._page.window()
            top = round(window.height() * WELCOME_SHARE) - self._page.mapTo(window, QPoint()).y()
            self._greeting.setFixedHeight(max(0, top - self._header.height()))
        return False


def _tab_stops(area: QWidget) -> list[QWidget]:
    """`area` and its widgets that Tab stops at, in the order they were made (which is their
    order in the focus chain for a part just built). Not read from the focus chain itself:
    PySide ties each widget `nextInFocusChain()` returns to the one asked, so when a widget
    is deleted, the Python side of the next one dies with it."""
    widgets = [area, *area.findChildren(QWidget)]
    return [widget for widget in widgets if widget.focusPolicy() & Qt.FocusPolicy.TabFocus]
