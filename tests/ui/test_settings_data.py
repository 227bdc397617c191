"""The Data tab: where the chats are kept, the newest backup, "Back up now" on a real core."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.store.backup import Backups
from chatdesk.core.units import format_size
from chatdesk.ui.settings.data_page import DataPage
from chatdesk.ui.settings.notices import Tone
from tests.ui.test_preferences import LEFT
from tests.ui.test_settings_providers import (  # noqa: F401 (fixtures)
    OpenPreferences,
    open_preferences,
    runner,
    said,
)

OpenPage = Callable[..., DataPage]


@pytest.fixture
def open_page(open_preferences: OpenPreferences) -> OpenPage:  # noqa: F811
    def open_(backups: Backups | None, data_folder: Path | None) -> DataPage:
        return open_preferences("Data", backups=backups, data_folder=data_folder).data

    return open_


def test_back_up_now_makes_a_backup_and_shows_it(
    qtbot: QtBot, make_core: Any, open_page: OpenPage
) -> None:
    core: Core = make_core()
    paths = core.config.paths
    page = open_page(core.backups, paths.data_dir)
    assert page.folder.text() == str(paths.data_dir)
    assert page.folder.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    qtbot.waitUntil(lambda: page.latest.text() == "None yet")

    qtbot.mouseClick(page.back_up, LEFT)
    assert not page.back_up.isEnabled()  # busy until it is done
    assert page.progress.isVisible()
    assert said(page.result) == (Tone.BUSY, "Backing up and verifying the copy…")
    qtbot.waitUntil(lambda: said(page.result)[0] is Tone.SUCCESS)

    [backup] = paths.backups_dir.glob("chatdesk-*.db")
    assert said(page.result)[1] == f"Backed up and verified: {backup.name}"
    assert page.latest_path.text() == str(backup)
    assert page.latest.text().endswith(f" · {format_size(backup.stat().st_size)}")
    assert page.back_up.isEnabled()
    assert not page.progress.isVisible()

    again = open_page(core.backups, paths.data_dir)  # the next time the dialog opens
    qtbot.waitUntil(lambda: again.latest_path.text() == str(backup))


def test_a_failed_backup_says_why(
    qtbot: QtBot, make_core: Any, open_page: OpenPage, tmp_path: Path
) -> None:
    core: Core = make_core()
    not_a_folder = tmp_path / "backups-here"
    not_a_folder.write_text("a file where the backups folder should be", encoding="utf-8")
    backups = Backups(core.store.path, not_a_folder)
    try:
        page = open_page(backups, core.config.paths.data_dir)
        qtbot.waitUntil(lambda: page.latest.text() == "None yet")
        qtbot.mouseClick(page.back_up, LEFT)
        qtbot.waitUntil(lambda: said(page.result)[0] is Tone.ERROR)
        text = said(page.result)[1]
        assert text.startswith(f"The backup failed: cannot write backups to {not_a_folder}")
        assert "a file is in the way" in text
        assert page.back_up.isEnabled()  # it can be tried again
        assert page.latest.text() == "None yet"
    finally:
        backups.close()


class _FileManager(QObject):
    """Stands in for the desktop's file manager: records the URLs it is asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.opened.append(url)


def test_open_folder_asks_the_desktop_to_show_the_data_folder(
    qtbot: QtBot, open_page: OpenPage, tmp_path: Path
) -> None:
    file_manager = _FileManager()
    QDesktopServices.setUrlHandler("file", file_manager, "open_url")
    try:
        page = open_page(None, tmp_path)
        qtbot.mouseClick(page.open_folder, LEFT)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in file_manager.opened] == [str(tmp_path)]


def test_without_backups_or_a_folder_the_page_says_so(open_page: OpenPage) -> None:
    page = open_page(None, None)
    assert page.folder.text() == "Not known in this session"
    assert not page.open_folder.isEnabled()
    assert page.latest.text() == "Backups are not available in this session."
    assert not page.back_up.isEnabled()
