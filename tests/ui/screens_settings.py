"""Screenshots of the preferences window as the window opens it (every section, each change in
use at once, a Close button): every section at its default size and at 800×600, then its
states — Undo after an assistant was deleted, a number refused beside its field, and Team's
one-line note where no keyring can keep the password. Light and dark (and any language with
CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_settings [OUTPUT_DIR]
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QSpinBox

from chatdesk.app import Core
from chatdesk.core.tools.service import Tools
from tests.ui.screens import _grab_dialog, _until, run_alone
from tests.ui.screens_first_steps import in_own_home

SECTIONS = (
    "appearance",
    "chat",
    "providers",
    "data",
    "usage",
    "tools",
    "web",
    "assistants",
    "knowledge",
    "memory",
    "team",
    "api",
    "voice",
    "desktop",
)


async def settings_window_screens(app: QApplication, out: Path) -> None:
    import keyring

    from tests.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # never the real keyring of whoever runs this
    await in_own_home(app, out, _shoot)


def _dialog(core: Core, tools: Tools, runner: object) -> object:
    """Preferences as the window makes it (chatdesk/ui/window/settings.py), every section with
    what it shows; the local API not served, as it starts."""
    from chatdesk.ui.preferences import PreferencesDialog
    from chatdesk.ui.settings.memory_calls import memory_names

    service = core.service
    return PreferencesDialog(
        core.config.settings,
        runner=runner,  # type: ignore[arg-type]
        providers=core.profiles,
        backups=core.backups,
        data_folder=core.config.paths.data_dir,
        usage=service.usage_by_month,
        spending=service.spending.overview,
        models=service.known_models,
        team=core.team,
        tools=tools,
        assistants=service.assistants,
        knowledge=service.knowledge,
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
        keys=core.keys,
        memory=service.memory,
        named=functools.partial(memory_names, service),
    )


async def _shoot(core: Core, tools: Tools, runner: object, out: Path, theme: str) -> None:
    from chatdesk.ui.preferences import PreferencesDialog

    dialog = _dialog(core, tools, runner)
    assert isinstance(dialog, PreferencesDialog)
    default = dialog.size()
    for size, label in ((default, "default"), (default.__class__(800, 600), "800x600")):
        dialog.resize(size)
        for name in SECTIONS:
            dialog.tabs.setCurrentWidget(getattr(dialog, name))  # named in English in any language
            await _grab_dialog(dialog, out / f"settings-{name}-{label}-{theme}.png", runner)
    dialog.resize(default)
    await _states(dialog, out, theme, runner)
    dialog.close()
    dialog.deleteLater()


async def _states(dialog: object, out: Path, theme: str, runner: object) -> None:
    from chatdesk.core.config import SyncSettings
    from chatdesk.core.sync.service import LoginState
    from chatdesk.ui.preferences import PreferencesDialog

    assert isinstance(dialog, PreferencesDialog)
    page = dialog.assistants
    dialog.tabs.setCurrentWidget(page)
    await _until(lambda: page.list.topLevelItemCount() > 0)
    count = page.list.topLevelItemCount()
    page.list.setCurrentItem(page.list.topLevelItem(count - 1))
    page.confirm_delete()  # deletes at once; the bar offers Undo
    await _until(lambda: dialog.undo_bar.isVisible())
    await _grab_dialog(dialog, out / f"settings-assistant-undo-{theme}.png", runner)
    dialog.undo_bar.action.click()  # back, for the next theme
    await _until(lambda: page.list.topLevelItemCount() == count)
    dialog.tabs.setCurrentWidget(dialog.usage)
    warn_at = dialog.findChild(QSpinBox, "capWarnAt")
    assert warn_at is not None
    warn_at.setFocus()
    warn_at.selectAll()
    QTest.keyClicks(warn_at, "5")
    QTest.keyClick(warn_at, Qt.Key.Key_Return)
    await _grab_dialog(dialog, out / f"settings-bounds-error-{theme}.png", runner)
    team = dialog.team
    dialog.tabs.setCurrentWidget(team)
    sync = team.sync(SyncSettings())
    team._login = LoginState(sync, False, "no keyring backend is installed")
    team._show_password_note()
    await _grab_dialog(dialog, out / f"settings-team-no-keyring-{theme}.png", runner)
    team.keyring_note.more.click()
    await _grab_dialog(dialog, out / f"settings-team-no-keyring-details-{theme}.png", runner)


def run() -> int:
    return run_alone(settings_window_screens)


if __name__ == "__main__":
    sys.exit(run())
