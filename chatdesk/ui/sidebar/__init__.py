"""The thread sidebar (groups, filter, archive, projects) and the Ctrl+K quick switcher."""

from chatdesk.ui.sidebar.model import ThreadTreeModel
from chatdesk.ui.sidebar.switcher import QuickSwitcher
from chatdesk.ui.sidebar.view import Sidebar

__all__ = ["QuickSwitcher", "Sidebar", "ThreadTreeModel"]
