"""A damaged database at start: the window asks how to go on before it gets its core, and a
restore or a recovery chosen there leads to a window with the chats back."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from chatdesk.app import build_core
from chatdesk.configuration import Configuration, configure
from chatdesk.core.store.damage import DatabaseDamaged
from chatdesk.ui.collector import GuiCollector
from chatdesk.ui.core_loader import GIL_HANDOVER_S
from chatdesk.ui.recovery import Choice, DamagedDialog
from tests.core.databases import damage_middle_of, damage_table, fill, sha256
from tests.ui.test_startup import Steps, app_run, the_window, thread_titles  # noqa: F401

LEFT = Qt.MouseButton.LeftButton


def prepare(threads: int = 1, turns: int = 0, damage: str = "threads") -> Configuration:
    """A database with a backup of its first threads and one thread written after it, then
    damaged (nothing has opened it since)."""
    config = configure()

    async def make() -> None:
        core = build_core(config)
        await core.start()
        try:
            await fill(core.service, threads, turns, tag="kept ")
            await core.backups.back_up_now()
            await core.service.create_thread(title="after the backup")
        finally:
            await core.aclose()

    asyncio.run(make())
    if damage == "messages":
        damage_middle_of(config.paths.database, damage)
    else:
        damage_table(config.paths.database, damage)
    return config


def damaged_dialog() -> DamagedDialog | None:
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, DamagedDialog) and w.isVisible()
        ),
        None,
    )


def choose(qtbot: QtBot, name: str, seen: list[str]) -> Callable[[], None]:
    def click() -> None:
        dialog = damaged_dialog()
        assert dialog is not None
        seen.append(dialog.findChild(object, "damageDetails").text())  # type: ignore[union-attr]
        failure = dialog.failure
        seen.append(failure.text() if failure.isVisibleTo(dialog) else "")
        button = getattr(dialog, name)
        assert button.isEnabled()
        qtbot.mouseClick(button, LEFT)

    return click


def close_when(
    titles: Callable[[list[str]], bool],
) -> tuple[Callable[[], bool], Callable[[], None]]:
    def ready() -> bool:
        window = the_window()
        return window is not None and titles(thread_titles(window))

    def close() -> None:
        window = the_window()
        assert window is not None
        window.close()

    return ready, close


def test_restoring_the_newest_backup_from_the_dialog_opens_the_window_with_it(
    app_run: Any,  # noqa: F811
    qtbot: QtBot,
) -> None:
    config = prepare()
    seen: list[str] = []
    steps = Steps(
        (lambda: damaged_dialog() is not None, choose(qtbot, "restore", seen)),
        close_when(lambda titles: titles == ["kept thread 0"]),
    )

    assert app_run(build_core) == 0

    assert steps.done
    assert "moved, untouched, to" in seen[0]
    assert seen[1] == ""
    [folder] = config.paths.data_dir.glob("damaged-*")
    assert (folder / "chatdesk.db").exists()


def test_recovering_from_the_dialog_opens_the_window_with_what_was_read(
    app_run: Any,  # noqa: F811
    qtbot: QtBot,
) -> None:
    config = prepare(threads=3, turns=10, damage="messages")
    seen: list[str] = []
    expected = ["after the backup", "kept thread 0", "kept thread 1", "kept thread 2"]
    steps = Steps(
        (lambda: damaged_dialog() is not None, choose(qtbot, "recover", seen)),
        close_when(lambda titles: sorted(titles) == expected),
    )

    assert app_run(build_core) == 0

    assert steps.done
    assert config.paths.database.exists()


def test_a_choice_that_fails_is_shown_and_quitting_changes_nothing(
    app_run: Any,  # noqa: F811
    qtbot: QtBot,
) -> None:
    config = prepare()
    [backup] = config.paths.backups_dir.glob("chatdesk-*.db")
    damage_table(backup, "threads")  # the only backup is damaged too
    seen: list[str] = []
    steps = Steps(
        (lambda: damaged_dialog() is not None, choose(qtbot, "restore", seen)),
        (lambda: damaged_dialog() is not None, choose(qtbot, "quit", seen)),
    )

    assert app_run(build_core) == 1

    assert steps.done
    assert "no verified backup" in seen[3]
    assert not config.paths.database.exists()  # no empty database behind the user's back
    [folder] = config.paths.data_dir.glob("damaged-*")
    before = sha256(folder / "chatdesk.db")
    with pytest.raises(DatabaseDamaged):  # the next start asks again
        build_core(configure())
    assert sha256(folder / "chatdesk.db") == before


def test_while_the_dialog_waits_the_collector_is_on_and_the_gil_handed_over_as_usual(
    app_run: Any,  # noqa: F811
    qtbot: QtBot,
) -> None:
    """Start-up pauses the garbage collector and hands the GIL over sooner while the core
    opens (chatdesk.launch, core_loader.CoreLoader); neither may last while the user reads
    the dialog, for minutes maybe: garbage is collected (on the GUI thread) meanwhile."""
    prepare()
    default = sys.getswitchinterval()
    assert default != GIL_HANDOVER_S
    during: list[tuple[bool, float]] = []
    quit_ = choose(qtbot, "quit", [])

    def look_then_quit() -> None:
        collector = QCoreApplication.instance().findChild(GuiCollector)
        collecting = collector is not None and collector.running and not gc.isenabled()
        during.append((collecting, sys.getswitchinterval()))
        quit_()

    steps = Steps((lambda: damaged_dialog() is not None, look_then_quit))
    gc.disable()  # as chatdesk.launch starts the window
    try:
        assert app_run(build_core) == 1
    finally:
        gc.enable()

    assert steps.done
    assert during == [(True, default)]


def test_the_dialog_says_what_happened_and_what_each_choice_does(qtbot: QtBot) -> None:
    config = prepare()
    with pytest.raises(DatabaseDamaged) as raised:
        build_core(config)
    dialog = DamagedDialog(raised.value, None)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    details = dialog.findChild(QLabel, "damageDetails").text()  # type: ignore[union-attr]
    assert raised.value.problems[0] in details
    assert str(raised.value.damaged_dir) in details
    assert dialog.restore.isEnabled()
    assert "Chats written after it was made are not in it." in dialog.restore.description()
    assert dialog.restore.isDefault()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.recover, LEFT)
    assert dialog.choice is Choice.RECOVER


def test_without_a_backup_only_recovering_and_quitting_are_offered(qtbot: QtBot) -> None:
    config = prepare()
    for backup in config.paths.backups_dir.glob("chatdesk-*.db"):
        backup.unlink()
    with pytest.raises(DatabaseDamaged) as raised:
        build_core(config)
    dialog = DamagedDialog(raised.value, "the disk is full")
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert not dialog.restore.isEnabled()
    assert dialog.restore.description() == "There is no backup yet."
    assert dialog.recover.isDefault()
    assert dialog.failure.text() == "That did not work: the disk is full"
