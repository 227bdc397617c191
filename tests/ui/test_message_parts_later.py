"""A message's parts most messages never show (the arrows between versions, "Used 2 memories",
the reasoning's toggle, the status line, the author of the user's words, a user's Read aloud)
are made when first shown: a page of finished messages holds none of them, and a message that
shows them later has them where the row and the tab order would have had them from the start."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import Role, Status
from chatdesk.core.render.worker import RenderWorker
from chatdesk.core.views import MessageView
from chatdesk.ui.conversation.formatter import Formatter
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.render_one import message_alone
from chatdesk.ui.runner import Runner


@pytest.fixture
def formatter() -> Formatter:
    made = Formatter(RenderWorker(), Runner())
    made.close()  # nothing is formatted: the widgets' controls are what is looked at
    return made


def _message(role: Role, **changed: object) -> MessageView:
    return replace(message_alone("Hi there", role=role), **changed)


def _everything(role: Role) -> MessageView:
    """A message showing all the parts made later: versions, reasoning, memories given."""
    reasoning = "Thinking it over." if role is Role.ASSISTANT else None
    return _message(role, sibling_index=2, sibling_count=2, reasoning=reasoning, memories=(1, 2))


def _in_window(qtbot: QtBot, widget: MessageWidget) -> tuple[QWidget, QPushButton]:
    """`widget` between two buttons of a window, as a message among the window's controls."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    before = QPushButton("before")
    layout.addWidget(before)
    layout.addWidget(widget)
    layout.addWidget(QPushButton("after"))
    return window, before


def _tab_order(window: QWidget, start: QWidget) -> list[str]:
    """The message's controls Tab goes through from `start`, in order (shown or not yet)."""
    found, widget = [], start.nextInFocusChain()
    while widget is not start:
        if window.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(widget.accessibleName())
        widget = widget.nextInFocusChain()
    return [name for name in found if name not in ("before", "after")]


@pytest.mark.parametrize("role", [Role.USER, Role.ASSISTANT])
def test_a_finished_message_makes_none_of_the_parts_it_does_not_show(
    qtbot: QtBot, formatter: Formatter, role: Role
) -> None:
    widget = MessageWidget(_message(role), formatter)
    qtbot.addWidget(widget)
    names = {child.objectName() for child in widget.findChildren(QWidget)}
    for part in ("messageHeader", "reasoningToggle", "messageStatus", "branchPosition"):
        assert part not in names
    assert "memoriesUsed" not in names
    described = {button.accessibleName() for button in widget.findChildren(QToolButton)}
    assert not {"Previous version", "Next version"} & described
    assert ("Read aloud" in described) is (role is Role.ASSISTANT)


@pytest.mark.parametrize("role", [Role.USER, Role.ASSISTANT])
def test_parts_shown_later_come_where_they_would_have_been(
    qtbot: QtBot, formatter: Formatter, role: Role
) -> None:
    at_once = MessageWidget(_everything(role), formatter)
    window, before = _in_window(qtbot, at_once)
    at_once.footer.allow_memory()
    expected = _tab_order(window, before)

    later = MessageWidget(_message(role), formatter)
    window, before = _in_window(qtbot, later)
    later.footer.allow_memory()
    later.update_message(_everything(role))

    assert _tab_order(window, before) == expected
    described = ["Previous version", "Next version", "Copy", "Remember this…", "Used 2 memories"]
    assert set(described) <= set(expected)
    for widget in (at_once, later):
        footer = widget.footer
        assert footer.branch.text() == "2/2"
        assert footer.memories.isVisibleTo(widget)
        assert not footer.next.isEnabled()  # the last version
        row = footer.layout()
        assert row is not None
        places = [row.indexOf(part) for part in (footer.previous, footer.branch, footer.next)]
        assert places == list(range(places[0], places[0] + 3))  # side by side
        assert row.indexOf(footer.memories) == row.indexOf(footer.meta) + 1
        if role is Role.ASSISTANT:
            assert places[-1] < row.indexOf(footer.copy)  # before an answer's actions
            assert widget._thinking.isVisibleTo(widget)
        else:
            assert places[0] > row.indexOf(footer.buttons[-1])  # after the user's


def test_the_status_and_the_author_come_when_first_said(qtbot: QtBot, formatter: Formatter) -> None:
    question = MessageWidget(_message(Role.USER), formatter)
    qtbot.addWidget(question)
    question.update_message(_message(Role.USER, author="Ana"))
    header = question.findChild(QLabel, "messageHeader")
    assert header is not None
    assert header.isVisibleTo(question)
    assert "Ana" in header.toolTip()

    stopped = _message(Role.ASSISTANT, status=Status.INTERRUPTED, error_detail="Stopped here.")
    answer = MessageWidget(_message(Role.ASSISTANT), formatter)
    qtbot.addWidget(answer)
    answer.update_message(stopped)
    assert answer._status.text() == "Stopped here."
    assert answer._status.isVisibleTo(answer)
    answer.update_message(_message(Role.ASSISTANT))
    assert not answer._status.isVisibleTo(answer)
