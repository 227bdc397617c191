"""The thread sidebar: groups, filter, archive, projects.

The names below load on first use: the window shows `placeholder.SidebarPlaceholder` before
the core is open, and importing this package must not load the rest of it for that.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.ui.sidebar.model import ThreadTreeModel
    from chatdesk.ui.sidebar.view import Sidebar

__all__ = ["Sidebar", "ThreadTreeModel"]
_HOMES = {"Sidebar": "view", "ThreadTreeModel": "model"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
