"""The Data tab: where the chats are kept, the newest backup, "Back up now" on a real core."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.config import Settings, load_settings, save_preferences
from chatdesk.core.store.backup import backup_name, make_backup
from chatdesk.core.store.backups import Backups
from chatdesk.core.units import format_size
from chatdesk.core.views import ThreadFilter
from chatdesk.ui.settings.data_page import DataPage
from chatdesk.ui.settings.notices import Tone
from tests.ui.shown import shown
from tests.ui.test_preferences import LEFT
from tests.ui.test_settings_providers import (  # noqa: F401 (fixtures)
    OpenPreferences,
    open_preferences,
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
    qtbot.waitUntil(lambda: page.latest_path.text() == str(backup))  # the list is read again
    assert page.list.chosen() == backup
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
    backups = Backups(core.insides.store.path, not_a_folder)
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


# -- the list of backups, restoring one, automatic backups and retention --------------------------


def listed(page: DataPage) -> list[tuple[str, ...]]:
    rows = []
    for row in range(page.list.topLevelItemCount()):
        item = page.list.topLevelItem(row)
        assert item is not None
        rows.append(tuple(item.text(column) for column in range(3)))
    return rows


def test_the_backups_are_listed_newest_first_and_the_last_good_one_stands_out(
    qtbot: QtBot, make_core: Any, open_page: OpenPage, finish: Any
) -> None:
    core: Core = make_core()
    folder = core.config.paths.backups_dir
    now = datetime.now(UTC)
    make_backup(core.insides.store.path, folder / backup_name("daily", now - timedelta(days=2)))
    make_backup(
        core.insides.store.path,
        folder / backup_name("pre-migrate-0005-to-0006", now - timedelta(days=1)),
    )
    newest = finish(core.backups.back_up_now())

    page = open_page(core.backups, core.config.paths.data_dir)
    qtbot.waitUntil(lambda: len(listed(page)) == 3)

    kinds = [row[1] for row in listed(page)]
    assert kinds == ["Made by you · newest", "Before an upgrade", "Daily"]
    first = page.list.topLevelItem(0)
    assert first is not None
    assert first.text(0).startswith("✓ ")
    assert first.font(0).bold()
    assert not page.list.topLevelItem(1).font(0).bold()  # type: ignore[union-attr]
    assert first.text(2) == format_size(newest.size)
    assert page.list.chosen() == newest.path  # selected, ready for "Restore…"
    assert page.restore.isEnabled()


def confirm_restore(qtbot: QtBot, page: DataPage, button_text: str) -> None:
    qtbot.mouseClick(page.restore, LEFT)
    box = shown(qtbot, page, QMessageBox, "confirmRestore")
    assert box.text().startswith("Restore the backup made ")
    assert "chatdesk.db.before-restore-" in box.informativeText()
    [button] = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "confirmRestore") is None)


def test_a_restore_from_the_window_is_applied_at_the_next_start(
    qtbot: QtBot, qloop: Any, finish: Any, open_page: OpenPage
) -> None:
    core = build_core(configure())
    finish(core.start())
    try:
        finish(core.service.create_thread(title="in the backup"))
        backup = finish(core.backups.back_up_now())
        finish(core.service.create_thread(title="written after it"))
        page = open_page(core.backups, core.config.paths.data_dir)
        quits: list[bool] = []
        page.quit_app = lambda: quits.append(True)
        qtbot.waitUntil(lambda: page.list.chosen() == backup.path)

        confirm_restore(qtbot, page, "Cancel")
        assert finish(core.backups.scheduled_restore()) is None
        confirm_restore(qtbot, page, "Restore at next start")

        qtbot.waitUntil(lambda: said(page.scheduled)[0] is Tone.WARNING)
        assert "will restore the backup made" in said(page.scheduled)[1]
        assert page.quit_now.isVisible()
        assert finish(core.backups.scheduled_restore()) == backup.path
        qtbot.mouseClick(page.quit_now, LEFT)
        assert quits == [True]
    finally:
        finish(core.aclose())

    again = build_core(configure())  # the next start
    try:
        assert again.startup.restored is not None
        finish(again.start())
        threads = finish(again.service.list_threads(ThreadFilter()))
        assert [t.title for t in threads.threads] == ["in the backup"]
    finally:
        finish(again.aclose())


def test_a_scheduled_restore_can_be_cancelled(
    qtbot: QtBot, make_core: Any, open_page: OpenPage, finish: Any
) -> None:
    core: Core = make_core()
    backup = finish(core.backups.back_up_now())
    finish(core.backups.schedule_restore(backup.path))
    page = open_page(core.backups, core.config.paths.data_dir)
    qtbot.waitUntil(lambda: page.cancel_restore.isVisible())

    qtbot.mouseClick(page.cancel_restore, LEFT)

    qtbot.waitUntil(lambda: not page.cancel_restore.isVisible())
    assert said(page.scheduled)[0] is None
    assert finish(core.backups.scheduled_restore()) is None


def test_a_failed_automatic_backup_is_shown(
    qtbot: QtBot, make_core: Any, open_page: OpenPage
) -> None:
    core: Core = make_core()
    core.backups.last_failure = "the disk is full, so the backup could not be written"
    page = open_page(core.backups, core.config.paths.data_dir)
    assert said(page.result) == (
        Tone.WARNING,
        "The last automatic backup failed: the disk is full, so the backup could not be written",
    )


def test_automatic_backups_and_retention_are_edited_and_saved(
    qtbot: QtBot,
    open_preferences: OpenPreferences,  # noqa: F811
    tmp_path: Path,
) -> None:
    dialog = open_preferences("Data")
    page = dialog.data
    assert page.automatic.isChecked()
    assert page.retention.value() == 30
    page.automatic.setChecked(False)
    page.retention.setFocus()
    page.retention.selectAll()
    qtbot.keyClicks(page.retention, "1")
    qtbot.keyClick(page.retention, Qt.Key.Key_Down)  # one day less: forever
    assert page.retention.text() == "Forever"
    page.automatic.setFocus()  # the typed number is in use once the typing ends

    edited = dialog.settings_from(Settings())
    assert (edited.storage.automatic_backups, edited.storage.deleted_retention_days) == (False, 0)
    config_file = tmp_path / "config.toml"
    save_preferences(config_file, edited)
    saved = load_settings(config_file).settings.storage
    assert (saved.automatic_backups, saved.deleted_retention_days) == (False, 0)
