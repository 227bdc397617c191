"""The window's two panes: the thread sidebar beside the conversation column (header, messages,
find bar, composer). Until the core is attached the side pane is a placeholder the same size
as the sidebar, which takes its place, size and visibility kept."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from chatdesk.ui.sidebar.placeholder import SidebarPlaceholder
from chatdesk.ui.sidebar.snapshot import GroupRow


class Panes:
    def __init__(self, window: QMainWindow, column: Sequence[QWidget], stretch: QWidget) -> None:
        """`column`'s widgets top to bottom; `stretch` takes the height the others leave."""
        right = QWidget()
        self.column = QVBoxLayout(right)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(0)
        for widget in column:
            self.column.addWidget(widget, 1 if widget is stretch else 0)
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.placeholder: SidebarPlaceholder | None = SidebarPlaceholder()
        self.splitter.addWidget(self.placeholder)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([270, 830])
        window.setCentralWidget(self.splitter)

    def side(self) -> QWidget:
        """The sidebar, or its placeholder."""
        panel = self.splitter.widget(0)
        assert panel is not None  # the splitter is made with both of its widgets
        return panel

    def show_kept(self, kept: list[GroupRow]) -> None:
        """Before the core is attached: the placeholder shows the rows the last run kept."""
        if self.placeholder is not None:
            self.placeholder.show_kept(kept)

    def set_side(self, sidebar: QWidget) -> None:
        self.placeholder = None
        placeholder = self.splitter.replaceWidget(0, sidebar)  # same size and visibility
        if placeholder is not None:  # it has no parent now
            placeholder.deleteLater()

    def toggle_side(self) -> None:
        panel = self.side()
        panel.setVisible(not panel.isVisible())
