"""A tool server's question with lists to pick from, in the window, by keyboard: the mock model
calls the test server's `ask_everything` (tests/core/mcp_server.py with mcp_parts/multi.py,
over stdio), which asks the reference "everything" server's whole form; its multi-selects are
columns of check boxes, ticked with Tab and Space; too many picked, the card says why and sends
nothing; the right number, the server gets the lists."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.questions import Answer, Question, form_of
from chatdesk.ui.conversation.question_card import QuestionCard
from chatdesk.ui.conversation.question_fields import ChoicesBox
from tests.core.mcp_parts.multi import EVERYTHING
from tests.ui.test_questions_ui import WAIT, _question, _result, _window
from tests.ui.test_window import send


def _boxes(card: QuestionCard, name: str) -> ChoicesBox:
    boxes = card.inputs[name]
    assert isinstance(boxes, ChoicesBox)
    return boxes


def _settled(window: Any, qtbot: QtBot) -> QuestionCard:
    """The question's card once its tall row is laid out (the row may be made again while the
    view fits it, and the card with it)."""
    from shiboken6 import Shiboken

    asks = window.actions_.asks
    seen: list[QuestionCard] = []

    def same_twice() -> bool:
        [card] = asks.cards.values()
        ok = Shiboken.isValid(card) and card.isVisible()
        seen.append(card)
        return ok and len(seen) > 20 and all(c is card for c in seen[-20:])

    qtbot.waitUntil(same_twice, timeout=WAIT)
    return seen[-1]


def _texts(boxes: ChoicesBox) -> list[str]:
    return [box.text() for box in boxes.findChildren(QCheckBox)]


def _tab_to(qtbot: QtBot, card: QuestionCard, box: QAbstractButton) -> None:
    for _ in range(len(card.inputs) * 6):  # more than once round the card
        if box.hasFocus():
            return
        focused = card.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {box.text()}, stopped on {card.focusWidget()}")


def test_the_everything_form_is_asked_whole_and_the_server_gets_the_lists(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    send(qtbot, window, "use the ask_everything tool")
    _question(window, qtbot)
    card = _settled(window, qtbot)
    assert len(card.inputs) == 13  # nothing declined, nothing left out
    instruments = _boxes(card, "untitledMultipleSelectEnum")
    fish = _boxes(card, "titledMultipleSelectEnum")
    assert _texts(instruments) == ["Guitar", "Piano", "Violin", "Drums", "Bass"]
    assert _texts(fish) == ["Tuna", "Salmon", "Trout"]  # the titles shown
    assert instruments.boxes["Guitar"].isChecked()  # the server's defaults ticked
    assert fish.boxes["fish-1"].isChecked()
    assert instruments.hint.text() == "Pick 1 to 3"
    assert instruments.hint.isVisible()
    for value in ("Piano", "Violin", "Drums"):  # one too many
        instruments.boxes[value].setChecked(True)
    error = card.errors["untitledMultipleSelectEnum"]
    assert error.text() == "pick at most 3"
    assert not card.buttons["accept"].isEnabled()
    qtbot.keyClicks(card.inputs["name"], "Ada Lovelace")
    qtbot.keyClick(card.inputs["name"], Qt.Key.Key_Return)  # not while it is wrong
    assert card.isEnabled()  # nothing sent
    instruments.boxes["Drums"].setChecked(False)
    fish.boxes["fish-3"].setChecked(True)
    assert error.text() == ""
    qtbot.keyClick(card.inputs["name"], Qt.Key.Key_Return)
    said = _result(window, qtbot)
    assert said.startswith("accept "), said
    sent = json.loads(said.removeprefix("accept "))
    assert sent["untitledMultipleSelectEnum"] == ["Guitar", "Piano", "Violin"]
    assert sent["titledMultipleSelectEnum"] == ["fish-1", "fish-3"]  # the values sent
    assert sent["name"] == "Ada Lovelace"


def test_choices_are_ticked_by_tab_and_space_and_too_many_are_never_sent(
    qtbot: QtBot,
) -> None:
    fields = form_of(EVERYTHING)
    assert not isinstance(fields, str)
    card = QuestionCard(Question("everything", "Pick", fields), lambda _url: None)
    qtbot.addWidget(card)
    answers: list[Answer] = []
    card.answered.connect(answers.append)
    with qtbot.waitExposed(card):
        card.show()
    card.activateWindow()
    card.focus_first()
    qtbot.waitUntil(card.inputs["name"].hasFocus)
    qtbot.keyClicks(card.inputs["name"], "Ada")
    instruments = _boxes(card, "untitledMultipleSelectEnum")
    for value in ("Piano", "Violin", "Drums"):  # one too many
        _tab_to(qtbot, card, instruments.boxes[value])
        qtbot.keyClick(instruments.boxes[value], Qt.Key.Key_Space)
    assert instruments.value() == ("Guitar", "Piano", "Violin", "Drums")
    assert card.errors["untitledMultipleSelectEnum"].text() == "pick at most 3"
    assert not card.buttons["accept"].isEnabled()  # the card says why and sends nothing
    assert answers == []
    qtbot.keyClick(instruments.boxes["Drums"], Qt.Key.Key_Space)  # unticked
    assert card.errors["untitledMultipleSelectEnum"].text() == ""
    _tab_to(qtbot, card, card.buttons["accept"])
    qtbot.keyClick(card.buttons["accept"], Qt.Key.Key_Space)
    [answer] = answers
    assert answer.values["untitledMultipleSelectEnum"] == ("Guitar", "Piano", "Violin")
    assert answer.values["titledMultipleSelectEnum"] == ("fish-1",)


def test_a_title_is_shown_as_written_never_as_markup_or_a_shortcut(qtbot: QtBot) -> None:
    from chatdesk.core.tools.questions import Field, Kind

    one = Field(
        "x", Kind.CHOICES, options=("a", "b"), option_titles=("<b>R&D</b>", "Q&A"), maximum=1
    )
    card = QuestionCard(Question("shop", "Which?", (one,)), lambda _url: None)
    qtbot.addWidget(card)
    boxes = _boxes(card, "x")
    assert _texts(boxes) == ["<b>R&&D</b>", "Q&&A"]  # "&&" shows one "&", underlines nothing
    assert boxes.hint.text() == "Pick at most 1"
    assert "Pick at most 1" in [label.text() for label in card.findChildren(QLabel)]
    card.focus_first()
    assert card.focusWidget() in (None, boxes.boxes["a"])  # its first box takes the focus
