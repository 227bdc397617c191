"""Team sync pieces of the window that need no server: the status bar's indicator follows the
service's SyncStateChanged events, and a teammate's messages carry their name."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.chat import events as ev
from chatdesk.core.kinds import Role
from chatdesk.ui.conversation.labels import header_text
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.sync.status import status_text


def test_the_indicator_follows_sync_state_events(attached_window: tuple[MainWindow, Core]) -> None:
    shown, core = attached_window
    assert shown.team_ui is not None
    status = shown.team_ui.status
    assert status.isHidden()  # no team server is set up

    publish = core.service.events.publish
    publish(ev.SyncStateChanged("syncing", "", 2, 0))
    assert status.isVisible()
    assert status.text() == "Team: syncing…"
    publish(ev.SyncStateChanged("offline", "connection refused", 3, 0))
    assert status.text() == "Team: offline — connection refused (3 waiting)"
    publish(ev.SyncStateChanged("error", "password authentication failed", 0, 1))
    assert status.text() == "Team: error — password authentication failed"
    assert status.property("state") == "error"
    assert "1 change was refused" in status.toolTip()
    publish(ev.SyncStateChanged("off", "", 0, 0))
    assert status.isHidden()


def test_the_indicator_says_how_long_ago_the_last_sync_was() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert status_text("up to date", "", 0, now - timedelta(minutes=2), now) == (
        "Team: up to date · 2 min ago"
    )
    assert status_text("up to date", "", 0, now, now) == "Team: up to date · just now"
    assert status_text("up to date", "", 0, None, now) == "Team: up to date"


def test_a_click_offers_sync_now_and_the_team_preferences(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot
) -> None:
    shown, _ = attached_window
    assert shown.team_ui is not None
    menu = shown.team_ui.status.sync_menu
    assert [a.text().replace("&", "") for a in menu.actions()] == [
        "Sync now",
        "Team preferences…",
    ]
    menu.actions()[1].trigger()
    dialog = shown.settings.dialog
    assert dialog is not None
    assert dialog.tabs.currentWidget() is dialog.team
    assert dialog.team.status.text() == "Off: no team server is set up."
    assert dialog.team.tls.currentText() == "verify-full"
    dialog.reject()


def test_a_teammates_messages_carry_their_name(
    attached_window: tuple[MainWindow, Core], finish: Any, qtbot: QtBot
) -> None:
    shown, core = attached_window
    turn = finish(core.service.send_new("hello"))
    assert turn.user_message is not None
    shown.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: len(shown.view.widgets) == 2)
    question = shown.view.widgets[0]
    own = question.findChild(QLabel, "messageHeader")
    assert own is None or own.isHidden()  # my own words need no name
    question.update_message(dataclasses.replace(turn.user_message, author="bob"))
    header = question.findChild(QLabel, "messageHeader")
    assert header is not None
    qtbot.waitUntil(header.isVisible)  # shown once the view has laid the message out
    assert header.text() == "bob"
    answer = dataclasses.replace(turn.answer, author="bob")
    assert answer.role is Role.ASSISTANT
    assert header_text(answer) == f"{answer.model} · for bob"
