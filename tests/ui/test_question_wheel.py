"""Scrolling the conversation past a server's question never changes an answer: a number or a
list in the form takes the wheel only once it has the focus; before that the wheel goes on to
the conversation, which scrolls."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.questions import Field, Kind, Question
from chatdesk.ui.conversation.question_card import QuestionCard


def _wheel(widget: QWidget) -> bool:
    """One notch of the wheel, up, over `widget`; whether it took it (else it goes on to the
    widgets around it, up to the conversation's scrolling)."""
    middle = QPointF(widget.rect().center())
    event = QWheelEvent(
        middle,
        QPointF(widget.mapToGlobal(middle.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_the_wheel_scrolls_past_a_forms_values_until_one_has_the_focus(qtbot: QtBot) -> None:
    fields = (
        Field("count", Kind.WHOLE, default=42, minimum=1, maximum=100),
        Field("size", Kind.NUMBER, default=3.5, minimum=0, maximum=10),
        Field(
            "pet", Kind.CHOICE, default="cat", options=("cat", "dog"), option_titles=("Cat", "Dog")
        ),
    )
    card = QuestionCard(Question("shop", "How many?", fields), lambda url: True)
    qtbot.addWidget(card)
    with qtbot.waitExposed(card):
        card.show()
    elsewhere = card.buttons["decline"]  # the focus is not on a value the wheel passes over
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    passed = [not _wheel(card.inputs[one.name]) for one in fields]
    assert card.values() == {"count": 42, "size": 3.5, "pet": "cat"}  # no answer changed
    assert passed == [True, True, True]  # each left the wheel to the conversation

    count = card.inputs["count"]
    count.setFocus()
    qtbot.waitUntil(count.hasFocus)
    assert _wheel(count)
    assert card.values()["count"] == 43  # the focused value takes the wheel
