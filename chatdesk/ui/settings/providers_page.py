"""Providers: the profiles of the servers chatdesk talks to, plus the built-in mock provider.

Every change is saved by `ProviderManager` at once and takes effect live; the list is read
back from `ProviderManager.views()` after each one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.manager import KeyState, ProfileView, ProviderManager
from chatdesk.core.providers.profiles import PRESETS, ProviderProfile
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.profile_editor import ProfileEditor

MOCK = "mock"
KEY_COLUMN = 3
NAME_ROLE = Qt.ItemDataRole.UserRole
# What "New profile" starts from, in the order offered: (label, the key of PRESETS or "" for
# blank, whether the label is words to translate rather than a server's own name).
TEMPLATES = (
    ("Ollama", "ollama", False),
    ("LM Studio", "lmstudio", False),
    ("vLLM", "vllm", False),
    # translators: a template for a new provider profile: llama.cpp's own server
    (mark("llama.cpp server"), "llamacpp", True),
    ("OpenAI", "openai", False),
    ("OpenRouter", "openrouter", False),
    # translators: a template for a new provider profile: one with empty fields
    (mark("Blank"), "", True),
)
ASKS_FOR_KEY = (KeyState.ORIGIN_CHANGED, KeyState.UNREADABLE)
ENVIRONMENT_KEY = "OPENAI_API_KEY"  # the variable's name, shown as it is
# Where a profile's API key is kept (the Key column); the environment's is shown by name.
KEY_STATES = {
    # translators: the Key column: the API key is kept in the system keyring
    KeyState.KEYRING: mark("Keyring"),
    # translators: the Key column: the API key is kept until chatdesk quits
    KeyState.SESSION: mark("This session"),
    # translators: the Key column: no API key is set
    KeyState.NONE: mark("None"),
    # translators: the Key column: the API key must be typed again
    KeyState.ORIGIN_CHANGED: mark("Enter it again"),
    KeyState.UNREADABLE: mark("Enter it again"),
}


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … when taken."""
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


class ProvidersPage(QWidget):
    profiles_changed = Signal()
    connect_requested = Signal()  # "Connect a model…": the window's page for it

    def __init__(
        self, manager: ProviderManager | None, runner: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._manager = manager
        self._runner = runner
        self._views: dict[str, ProfileView] = {}
        layout = QVBoxLayout(self)
        self.problems = Notice("profileProblems", self)
        self.no_keyring = Notice("keyringNotice", self)
        layout.addWidget(self.problems)
        layout.addWidget(self.no_keyring)
        self.list = self._profile_list()
        layout.addWidget(self.list, 1)
        layout.addLayout(self._buttons())
        self.status = Notice("providersStatus", self)
        layout.addWidget(self.status)
        if manager is None:
            self._unmanaged()
        elif not manager.keyring_checked:  # done off the GUI thread, the first time only
            runner.run(
                manager.check_keyring(),
                done=lambda _: self._show_notices(),
                failure=lambda error: self.no_keyring.say(Tone.WARNING, str(error)),
                quiet=True,
                owner=self,
            )
        self.refresh()

    # -- building --------------------------------------------------------------------------------

    def _profile_list(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName("profileList")
        tree.setAccessibleName(tr("Provider profiles"))
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setStyleSheet("QTreeWidget::item { padding: 3px 0; }")  # room between servers
        tree.setHeaderLabels(
            [
                tr("Name"),
                tr("Server"),
                tr("Default model"),
                # translators: a column header: where a provider's API key is kept
                tr("Key"),
            ]
        )
        tree.setColumnWidth(0, 140)
        tree.setColumnWidth(1, 260)
        tree.setColumnWidth(2, 140)
        tree.currentItemChanged.connect(self._selection_changed)
        tree.itemActivated.connect(lambda *_: self.edit_current())
        return tree

    def _buttons(self) -> QHBoxLayout:
        self.template = QComboBox(self)
        self.template.setObjectName("profileTemplate")
        self.template.setAccessibleName(tr("Template for a new profile"))
        for label, key, words in TEMPLATES:
            self.template.addItem(tr(label) if words else label, key)
        caption = QLabel(tr("&New profile from:"), self)
        caption.setBuddy(self.template)
        self.add = self._button(tr("Add…"), "addProfile", self.add_profile)
        self.edit = self._button(tr("&Edit…"), "editProfile", self.edit_current)
        self.remove = self._button(tr("&Remove…"), "removeProfile", self.confirm_remove)
        self.connect_model = self._button(
            tr("Connect a &model…"), "connectModel", self.connect_requested.emit
        )
        row = QHBoxLayout()
        row.addWidget(self.connect_model)
        for widget in (caption, self.template, self.add):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.edit)
        row.addWidget(self.remove)
        return row

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _unmanaged(self) -> None:
        self.status.say(
            Tone.INFO,
            tr(
                "Provider profiles cannot be managed here in this session; "
                "only the built-in offline provider is available."
            ),
        )
        for widget in (self.template, self.add, self.connect_model):
            widget.setEnabled(False)

    # -- showing ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the profiles as the manager has them now; keep the selected one selected."""
        selected = self.selected_name()
        views = self._manager.views() if self._manager is not None else []
        self._views = {view.name: view for view in views}
        self.list.clear()
        self.list.addTopLevelItem(_mock_item())
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for view in views:
            item = _profile_item(view)
            if view.key_state in ASKS_FOR_KEY:
                item.setIcon(KEY_COLUMN, warning)
            self.list.addTopLevelItem(item)
        self._show_notices()
        first_profile = views[0].name if views else MOCK
        self.select(selected or first_profile)

    def _show_notices(self) -> None:
        manager = self._manager
        if manager is None:
            return
        if manager.problems:
            lines = "\n".join(f"• {problem}" for problem in manager.problems)
            self.problems.say(
                Tone.WARNING,
                tr("Some profiles in the profiles file were skipped:\n{lines}", lines=lines),
            )
        else:
            self.problems.clear_notice()
        if not manager.keyring_available:
            self.no_keyring.say(
                Tone.WARNING,
                tr(
                    "No system keyring: {reason}. API keys can be kept for this "
                    "session only, or set in the {variable} environment variable before "
                    "chatdesk starts; chatdesk never writes them to a file.",
                    reason=manager.keyring_reason,
                    variable=ENVIRONMENT_KEY,
                ),
            )
        else:
            self.no_keyring.clear_notice()

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        name = item.data(0, NAME_ROLE) if item is not None else None
        return name if isinstance(name, str) else None

    def select(self, name: str) -> None:
        for row in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(row)
            if item is not None and item.data(0, NAME_ROLE) == name:
                self.list.setCurrentItem(item)
                return
        first = self.list.topLevelItem(0)  # the mock provider is always there
        if first is not None:
            self.list.setCurrentItem(first)

    def _selection_changed(self) -> None:
        editable = self._manager is not None and self.selected_name() in self._views
        self.edit.setEnabled(editable)
        self.remove.setEnabled(editable)

    # -- acting ----------------------------------------------------------------------------------

    def add_profile(self) -> None:
        key = self.template.currentData()
        preset = PRESETS.get(key) if isinstance(key, str) else None
        start = preset or ProviderProfile("server", "https://example.com/v1")
        start = dataclasses.replace(start, name=unique_name(start.name, set(self._views)))
        self._open_editor(start, None, blank=preset is None)

    def edit_current(self) -> None:
        view = self._views.get(self.selected_name() or "")
        if view is not None:
            self._open_editor(view.profile, view)

    def _open_editor(
        self, start: ProviderProfile, view: ProfileView | None, *, blank: bool = False
    ) -> None:
        if self._manager is None:
            return
        editor = ProfileEditor(
            self._manager,
            self._runner,
            start=start,
            blank=blank,
            view=view,
            taken=set(self._views) - {view.name if view else ""},
            parent=self,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._saved)
        editor.open()

    def _saved(self, view: ProfileView) -> None:
        self.refresh()
        self.select(view.name)
        self.status.say(Tone.SUCCESS, tr("Saved “{name}”; it is in use now.", name=view.name))
        self.profiles_changed.emit()

    def confirm_remove(self) -> None:
        view = self._views.get(self.selected_name() or "")
        if view is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, tr("Remove provider"), "", parent=self)
        box.setObjectName("confirmRemove")
        box.setText(tr("Remove the provider “{name}”?", name=view.name))
        box.setInformativeText(_removal_note(view))
        # translators: the button that removes a provider profile
        remove = box.addButton(tr("Remove"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # open(), not exec(): no nested event loop under qasync.
        box.finished.connect(lambda _: self._remove(view.name, box.clickedButton() is remove))
        box.open()

    def _remove(self, name: str, confirmed: bool) -> None:
        if self._manager is None or not confirmed:
            return
        self._runner.run(
            self._manager.remove(name),
            done=lambda _: self._removed(name),
            failure=lambda error: self.status.say(Tone.ERROR, str(error)),
            owner=self,
        )

    def _removed(self, name: str) -> None:
        self.refresh()
        self.status.say(Tone.SUCCESS, tr("Removed “{name}” and forgot its key.", name=name))
        self.profiles_changed.emit()


def _removal_note(view: ProfileView) -> str:
    if view.from_environment:
        return tr(
            "Its key is forgotten too. Chats that used it keep their messages. "
            "It comes back at the next start while {variable} is set.",
            variable=ENVIRONMENT_KEY,
        )
    return tr("Its key is forgotten too. Chats that used it keep their messages.")


def _mock_item() -> QTreeWidgetItem:
    server = tr("Built in, offline: answers with sample text")
    # translators: the Default model column of the built-in provider: it takes any model name
    model = tr("any")
    item = QTreeWidgetItem([MOCK, server, model, "—"])
    item.setData(0, NAME_ROLE, MOCK)
    item.setToolTip(0, tr("Always available; it cannot be edited or removed"))
    return item


def _profile_item(view: ProfileView) -> QTreeWidgetItem:
    profile = view.profile
    name = tr("{name} (environment)", name=profile.name) if view.from_environment else profile.name
    model = profile.default_model or "—"
    state = view.key_state
    key = ENVIRONMENT_KEY if state is KeyState.ENVIRONMENT else tr(KEY_STATES[state])
    item = QTreeWidgetItem([name, profile.base_url, model, key])
    item.setData(0, NAME_ROLE, profile.name)
    item.setToolTip(KEY_COLUMN, view.key_note)
    return item
