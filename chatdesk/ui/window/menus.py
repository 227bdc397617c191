"""The window's menus and keyboard shortcuts, from one table: each entry calls the method it
names, of the window or of one of its parts (looked up when the entry is chosen, so a part made
once the core is attached can be named). Entries that need the core stay disabled until it is
attached; entries about the shown thread are enabled while one is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from chatdesk.core.i18n import mark, tr

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.search import Search
    from chatdesk.ui.transfer.actions import TransferFactory

# translators: a menu of the window's menu bar
FILE = mark("&File")
# translators: a menu of the window's menu bar, about the chat shown
CHAT = mark("&Chat")
# translators: a menu of the window's menu bar, about what the window shows
VIEW = mark("&View")
# translators: a menu of the window's menu bar
HELP = mark("&Help")
SHORTCUTS = (
    # (menu, text, keys, what it calls: a method of the window or of one of its parts)
    (FILE, mark("&New chat"), "Ctrl+N", "new_chat"),
    (FILE, mark("New &temporary chat"), "Ctrl+Shift+N", "temporary.start"),
    (FILE, mark("C&lose temporary chat"), "Ctrl+W", "temporary.close_chat"),
    (FILE, mark("&Search…"), "Ctrl+K", "open_search"),
    (FILE, mark("Connect a &model…"), "", "connecting.offer"),
    (FILE, mark("&Export thread…"), "", "export_thread"),
    (FILE, mark("Export e&verything…"), "", "on_demand.export_all"),
    (FILE, mark("&Import…"), "", "on_demand.import_file"),
    (FILE, mark("&Preferences…"), "Ctrl+,", "settings.open_preferences"),
    (FILE, mark("&Quit"), "Ctrl+Q", "close"),
    (CHAT, mark("Focus the &composer"), "Ctrl+L", "composer.focus_editor"),
    (CHAT, mark("&Stop the answer"), "", "sending.stop"),  # Esc: see WindowMenus.__init__
    (CHAT, mark("Copy &the last answer"), "Ctrl+Shift+C", "actions_.copy_last"),
    (CHAT, mark("&Regenerate the last answer"), "Ctrl+R", "actions_.regenerate_last"),
    (CHAT, mark("&Dictate"), "Ctrl+Shift+D", "dictation.toggle"),
    (CHAT, mark("Read the last answer &aloud"), "Ctrl+Shift+A", "actions_.read_last"),
    (CHAT, mark("&Voice conversation"), "Ctrl+Shift+T", "talking.toggle"),
    (CHAT, mark("&Find in thread…"), "Ctrl+F", "find_bar.open_bar"),
    (CHAT, mark("Re&name thread"), "F2", "rename_thread"),
    (CHAT, mark("Summarise &earlier messages now"), "", "summaries.summarize_now"),
    (CHAT, mark("Stop s&ummarising"), "", "summaries.cancel"),
    (CHAT, mark("Context &window…"), "", "choose_context_window"),
    (VIEW, mark("Show/hide the &sidebar"), "Ctrl+B", "panes.toggle_side"),
    (VIEW, mark("Zoom &in"), "Ctrl+=", "settings.zoom_in"),
    (VIEW, mark("Zoom &out"), "Ctrl+-", "settings.zoom_out"),
    (VIEW, mark("&Actual size"), "Ctrl+0", "settings.actual_size"),
    (HELP, mark("&Keyboard shortcuts"), "Ctrl+/", "help.show_shortcuts"),
    (HELP, mark("&Report a problem…"), "", "help.report_problem"),
    (HELP, mark("&About chatdesk"), "", "help.about"),
)
# Keys an entry answers to besides its own: Esc stops an answer (see WindowMenus.add_entries).
KEYS_ELSEWHERE = {"sending.stop": "Esc"}
# A second key for an entry: Ctrl++ zooms in as Ctrl+= does (the same key, shifted or not).
_ALSO = {"settings.zoom_in": "Ctrl++"}
# Until the core is attached (searching and transfers also need their own part of it).
NEEDS_SERVICE = frozenset(
    {
        "new_chat",
        "open_search",
        "connecting.offer",
        "settings.open_preferences",
        "on_demand.export_all",
        "on_demand.import_file",
        "settings.zoom_in",  # a zoom is saved with the settings, which the core's start reads
        "settings.zoom_out",
        "settings.actual_size",
    }
)
NEEDS_THREAD = frozenset(
    {"summaries.summarize_now", "summaries.cancel", "choose_context_window", "export_thread"}
)
# Enabled by the temporary chat's part (chatdesk/ui/window/temporary.py): starting one once the
# app says how they are made, closing one while it is shown.
NEEDS_TEMPORARY = frozenset({"temporary.start", "temporary.close_chat"})
_SEPARATED = frozenset(
    {"export_thread", "settings.open_preferences", "summaries.summarize_now", "settings.zoom_in"}
)


class WindowMenus(QObject):
    def __init__(self, window: QMainWindow) -> None:
        """`window`'s menu bar with its menus, empty until `add_entries` (the first paint shows
        their titles: the bar's height is the window's from the start)."""
        super().__init__(window)
        self._window = window
        self.actions: dict[str, QAction] = {}
        self._menus: dict[str, QMenu] = {}
        for menu_name, *_ in SHORTCUTS:
            if menu_name not in self._menus:
                self._menus[menu_name] = window.menuBar().addMenu(tr(menu_name))

    def add_entries(self, stop: Callable[[], object], stop_from: Iterable[QWidget]) -> None:
        """The entries and their keys. Esc calls `stop` inside each of `stop_from`: the
        composer handles its own Esc, and a window-wide one would take it from the thread
        filter, the find bar and inline edits."""
        from PySide6.QtGui import QAction, QKeySequence, QShortcut  # after the first paint

        window = self._window
        for menu_name, text, keys, target in SHORTCUTS:
            action = QAction(tr(text), window)
            action.setShortcuts([QKeySequence(k) for k in (keys, _ALSO.get(target)) if k])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, call=attrgetter(target): call(window)())
            action.setEnabled(target not in NEEDS_SERVICE | NEEDS_THREAD | NEEDS_TEMPORARY)
            if target in _SEPARATED:
                self._menus[menu_name].addSeparator()
            self._menus[menu_name].addAction(action)
            self.actions[target] = action
        for area in stop_from:
            shortcut = QShortcut(QKeySequence("Esc"), area, stop)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def core_attached(self, missing: Mapping[str, bool]) -> None:
        """The core is here: enable what needs it, but for the entries `missing` says lack
        their own part of it."""
        for target in NEEDS_SERVICE:
            self.actions[target].setEnabled(not missing.get(target, False))

    def thread_shown(self, *, shown: bool, summarising: bool, can_export: bool) -> None:
        """Enable the entries about a thread for the one shown (`shown` False: none is)."""
        self.actions["summaries.summarize_now"].setEnabled(shown and not summarising)
        self.actions["summaries.cancel"].setEnabled(shown and summarising)
        self.actions["choose_context_window"].setEnabled(shown)
        self.actions["export_thread"].setEnabled(shown and can_export)


def unavailable(
    search: Search | None, transfer: TransferFactory | None, profiles: ProviderManager | None
) -> dict[str, bool]:
    """The menu actions the window cannot serve without what `attach` was not given."""
    return {
        "connecting.offer": profiles is None,
        "open_search": search is None,
        "on_demand.export_all": transfer is None,
        "on_demand.import_file": transfer is None,
    }
