"""What the sidebar shows while the core is still opening the database.

The same frame as `Sidebar` (the New chat and Search rows, the list, the Archived row) with its
controls disabled,
so the window can paint before the thread list and SQLAlchemy are loaded, and nothing jumps when
the real sidebar takes its place. Where the threads will be: the rows the window showed when it
last closed (`snapshot.py`), drawn by the sidebar's delegate but not yet clickable, or, with none
kept, "Opening your chats…". The kept rows come a moment after the window's first paint (the
delegate is loaded for them then), so the window is not slower to appear for them; in a window
that builds its parts after that paint, once it `release()`s them (the list view they are
drawn in makes PySide6 make every widget class it has not made yet, which the window spreads
over several turns of the loop first: `chatdesk/ui/window/later.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.sidebar.flat_row import INSET, PADDING, FlatRow
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import set_icon, show_icon

if TYPE_CHECKING:  # loaded with the kept rows, after the first paint
    from PySide6.QtWidgets import QTreeView

    from chatdesk.ui.sidebar.snapshot import GroupRow
    from chatdesk.ui.sidebar.widgets import ThreadTree

MARGIN = 6  # px around the sidebar's contents, as in Sidebar
SPACING = 6
MIN_WIDTH = 180

_ICONS = {"_new_chat": "new-chat", "_search": "search", "_archived": "archive"}


def top_rows() -> tuple[FlatRow, FlatRow]:
    """The rows over the list: New chat and Search (the sidebar's and the placeholder's)."""
    # translators: the row at the top of the chat list that starts a new chat
    new_chat = FlatRow(tr("New chat"))
    # translators: the row at the top of the chat list that opens the search (Ctrl+K)
    search = FlatRow(tr("Search", context="chats"))
    return new_chat, search


def new_project_button(tree: QTreeView) -> FlatRow:
    """The button at the end of the list's Projects heading (the tree keeps it there)."""
    button = FlatRow(inset=0, parent=tree.viewport())
    # translators: the button at the end of the chat list's Projects heading
    button.setToolTip(tr("New project"))
    button.setAccessibleName(tr("New project"))
    button.setAccessibleDescription(tr("Creates a project to group chats in."))
    set_icon(button, "new-project", current_look())
    button.hide()  # until the tree has placed it
    return button


def archived_row() -> FlatRow:
    """The row under the list that shows the archived chats instead of the others."""
    # translators: the row that shows the archived chats instead of the others
    row = FlatRow(tr("Archived"))
    row.setCheckable(True)
    return row


class SidebarPlaceholder(QWidget):
    def __init__(self, parent: QWidget | None = None, *, held: bool = False) -> None:
        """`held`: kept rows are drawn only once `release()` is called too."""
        super().__init__(parent)
        self.setMinimumWidth(MIN_WIDTH)
        self.setAccessibleName(tr("Chats"))
        self._new_chat, self._search = top_rows()
        self._archived = archived_row()
        for control in (self._new_chat, self._search, self._archived):
            control.setEnabled(False)
        self.status = QLabel(tr("Opening your chats…"))
        self.status.setAccessibleName(tr("List status"))
        # In line with the titles that will follow, and with the rows' words above.
        self.status.setContentsMargins(INSET + PADDING, INSET, INSET + PADDING, 0)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._kept: Callable[[], list[GroupRow] | None] | None = None  # reads the kept rows
        self._held = held
        self.tree: ThreadTree | None = None  # the kept rows, once shown
        # Icons are drawn on the loop's turn after the first paint (the first one loads Qt's
        # SVG plugin, a few ms), as the composer's: withheld until then, their places held.
        self._iconed = False
        look = current_look()  # disabled here: the icons take the disabled colour
        for button, name in _ICONS.items():
            show_icon(getattr(self, button), False, look)
            set_icon(getattr(self, button), name, look, "text")
        self._lay_out()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        layout.setSpacing(0)  # the rows' own height spaces them, as the list's rows
        layout.addWidget(self._new_chat)
        layout.addWidget(self._search)
        layout.addSpacing(SPACING)
        layout.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        layout.addWidget(self._archived)

    def show_kept(self, kept: list[GroupRow]) -> None:
        """Show `kept` (the rows the window showed when it last closed) once this has painted."""
        if kept:
            self.read_kept(lambda: kept)

    def read_kept(self, read: Callable[[], list[GroupRow] | None]) -> None:
        """Show the rows `read()` returns (the rows the window showed when it last closed),
        read once this has painted; "Opening your chats…" shows only if there are none."""
        if self.tree is None:
            self._kept = read
            self.status.hide()
            if self.isVisible():
                self._draw_soon()

    def release(self) -> None:
        """Draw the kept rows now that the window lets it (made `held`)."""
        self._held = False
        if self.isVisible():
            self._draw_soon()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self._draw_soon()  # once this paint is done
        if not self._iconed:
            self._iconed = True
            QTimer.singleShot(0, self, self._paint_icons)

    def _draw_soon(self) -> None:
        if self._kept is not None and self.tree is None and not self._held:
            QTimer.singleShot(0, self, self._show_kept)

    def _show_kept(self) -> None:
        """The last run's rows, as the live list draws them; clicks and keys wait for it."""
        if self._kept is None or self.tree is not None or self._held:
            return
        from chatdesk.ui.sidebar.delegate import SidebarDelegate
        from chatdesk.ui.sidebar.snapshot import model_of
        from chatdesk.ui.sidebar.widgets import ThreadTree

        kept, self._kept = self._kept(), None
        if not kept:  # none, or a damaged file
            self.status.show()
            return
        tree = ThreadTree(self)
        model = model_of(kept)
        model.setParent(tree)
        tree.setModel(model)
        tree.setItemDelegate(SidebarDelegate(tree))
        for row, group in enumerate(kept):
            tree.setExpanded(model.index(row, 0), group.open)
        tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        tree.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        tree.setAccessibleName(tr("Chats (opening)"))
        tree.heading_button = new_project_button(tree)
        tree.heading_button.setEnabled(False)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        place = layout.indexOf(self.status) + 1
        layout.takeAt(place)  # the tree takes the room the stretch held
        layout.insertWidget(place, tree, 1)
        self.tree = tree

    def _paint_icons(self) -> None:
        look = current_look()
        for button in _ICONS:
            show_icon(getattr(self, button), True, look)
