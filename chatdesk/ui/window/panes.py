"""The window's two panes: the thread sidebar beside the conversation column (header, messages,
find bar, composer). Until the core is attached the side pane is a placeholder the same size
as the sidebar, which takes its place, size and visibility kept. Until the conversation is
built (right after the window's first paint, decision 0009) a plain stand-in of its colour holds
its room between the header and the composer, so nothing moves when it comes."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

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
        self.column = QVBoxLayout(self.right)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(0)
        self._stand_in: QWidget | None = None
        self._composer: Composer | None = None
        self._narrow = False
        self._hidden_by_width = False  # the sidebar hid itself: the window became narrow
        self.side_shown: Callable[[bool], object] = lambda _shown: None  # for the header

    def fill_column(self, header: QWidget, composer: Composer) -> None:
        """`header` over `composer` (made in `right`), with room between them for the
        conversation (`show_conversation`)."""
        self._composer = composer
        self._stand_in = QWidget(self.right)
        self._stand_in.setBackgroundRole(QPalette.ColorRole.Base)  # the conversation's colour
        self._stand_in.setAutoFillBackground(True)
        self.column.addWidget(header)
        self.column.addWidget(self._stand_in, 1)
        self.column.addWidget(composer)

    def show_conversation(self, above: QWidget, view: QWidget, below: QWidget) -> None:
        """`view` in the stand-in's place, taking the height the others leave; `above` and
        `below` it (the read-only banner and the find bar, hidden until needed)."""
        assert self._stand_in is not None, "the conversation is shown once"
        assert self._composer is not None, "in a filled column"
        place = self.column.indexOf(self._stand_in)
        self.column.removeWidget(self._stand_in)
        self._stand_in.hide()
        self._stand_in.deleteLater()
        self._stand_in = None
        self.column.insertWidget(place, below)
        self.column.insertWidget(place, view, 1)
        self.column.insertWidget(place, above)
        view.show()  # now: a layout shows a visible parent's new widgets only a turn later
        self.column.activate()  # in place before the next paint, not at its default size
        # Made after the composer, they come before it when Tab goes down the column.
        chain = [*_tab_stops(view), *_tab_stops(below), *self._composer.tab_chain()]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

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


def _tab_stops(area: QWidget) -> list[QWidget]:
    """`area` and its widgets that Tab stops at, in the order they were made (which is their
    order in the focus chain for a part just built). Not read from the focus chain itself:
    PySide ties each widget `nextInFocusChain()` returns to the one asked, so when a widget
    is deleted, the Python side of the next one dies with it."""
    widgets = [area, *area.findChildren(QWidget)]
    return [widget for widget in widgets if widget.focusPolicy() & Qt.FocusPolicy.TabFocus]
