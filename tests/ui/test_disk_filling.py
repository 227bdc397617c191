"""An open window whose data folder's disk fills turns read-only as soon as the core's watch
sees it, before the next send: the banner says why, a send is refused with the words still in
the composer, what is typed meanwhile is kept and saved once there is room again, when the
banner goes and sending works. A real core on a real SQLite file; only the free space is the
test's number."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.chat.events import SavingStateChanged
from chatdesk.core.store.failures import ROOM_WANTED
from chatdesk.core.store.space_watch import SpaceWatch

MB = 1024 * 1024
BEFORE = "typed while there was room"
AFTER = ", and more once the disk was full"


def _watch(core: Core, disk: dict[str, int]) -> SpaceWatch:
    """The core's watch, as the composition root makes it, reading the test's free space."""
    events = core.service.events
    return SpaceWatch(
        core.insides.store,
        lambda blocked: events.publish(SavingStateChanged(blocked)),
        free_bytes=lambda: disk["free"],
    )


def test_a_disk_filled_under_an_open_window_turns_it_read_only_and_nothing_typed_is_lost(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    disk = {"free": 10 * 1024 * MB}
    watch = _watch(core, disk)
    editor = window.composer.editor
    qtbot.waitUntil(lambda: window.drafts.shown)  # the new chat's stored draft was read
    qtbot.keyClicks(editor, BEFORE)
    window.composer.flush_draft()
    qtbot.waitUntil(lambda: finish(core.service.load_draft(None)).text == BEFORE)
    finish(watch.check())
    assert not window.read_only.isVisible()

    disk["free"] = 3 * MB  # another program filled the disk; nothing was sent meanwhile
    finish(watch.check())
    assert window.read_only.isVisible()
    assert "is full (3.0 MB free), so chatdesk shows your chats read-only" in (
        window.read_only.text()
    )
    qtbot.keyClicks(editor, AFTER)
    window.composer.flush_draft()  # kept in memory: the database is not written
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "is full (3.0 MB free)" in window.statusBar().currentMessage())
    assert window.composer.text() == BEFORE + AFTER
    assert finish(core.service.list_threads()).threads == ()
    assert finish(core.service.load_draft(None)).text == BEFORE

    disk["free"] = ROOM_WANTED  # the user freed space: no restart
    finish(watch.check())
    assert not window.read_only.isVisible()
    qtbot.waitUntil(lambda: finish(core.service.load_draft(None)).text == BEFORE + AFTER)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            len(window.conversation.messages()) == 2
            and window.conversation.messages()[-1].status.is_final
        )
    )
    assert window.conversation.messages()[0].content == BEFORE + AFTER
    assert window.composer.text() == ""
