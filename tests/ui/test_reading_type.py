"""The conversation set for reading, as a user sees it: an answer's text at 11 pt or more at
100 % (read off its document as a screen reader reads it), in lines half again as tall as the
font's own, grown by Preferences' text size and the zoom while the controls keep the platform's
size; a code block a rounded card under its language and Copy, which still copies the code;
code within a line on a chip."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QTextCursor,
)
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.render import render_markdown
from chatdesk.core.render.model import RenderOptions
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.quick.window import FormattedAnswer
from chatdesk.ui.theme import ThemeWatcher, apply_theme, current_reading_font
from chatdesk.ui.theme.colours import Look, colours
from chatdesk.ui.theme.reading import reading_type
from chatdesk.ui.theme.render_palette import render_palette
from chatdesk.ui.theme.scale import RADIUS
from tests.ui.test_conversation import open_thread, seed_answer

WORDS = (
    "Sort the intervals by their start, then walk them once: each one either overlaps the "
    "last merged interval or starts a new one, so the whole pass is one sort and one loop "
    "over the list, however many intervals overlap."
)
CODE = "def merge(intervals):\n    return sorted(intervals)"
ANSWER = f"{WORDS}\n\nCall `merge(pairs)` on the list.\n\n```python\n{CODE}\n```\n\nAfter."
THEMES: dict[Look, str] = {"light": "light", "dark": "dark", "contrast": "high-contrast"}


@pytest.fixture(autouse=True)
def restore_reading(qapp: QApplication) -> Iterator[None]:
    """The QApplication is shared by all tests: a text size or zoom must not outlive its test."""
    theme = ThemeWatcher.of(qapp).theme
    yield
    apply_theme(qapp, theme)


def _answer_window(make_core: Any, open_window: Any, qtbot: QtBot, finish: Any) -> MainWindow:
    core = make_core()
    thread = seed_answer(core, finish, ANSWER)
    window: MainWindow = open_window(core)
    window.resize(1200, 800)
    qtbot.waitUntil(lambda: window.width() == 1200)
    open_thread(window, qtbot, thread.id, 2)
    return window


def _read_out_points(body: MessageBrowser, words: str = "Sort the intervals") -> int:
    """The size a screen reader is told of `words` in `body`: Qt's accessibility reports the
    point size of the character format there, as the document resolves it."""
    found = body.document().find(words)
    assert not found.isNull(), words
    cursor = QTextCursor(body.document())
    cursor.setPosition(found.selectionStart() + 1)
    return cursor.charFormat().font().pointSize()


def _system_points() -> float:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).pointSizeF()


def test_an_answer_reads_at_11_points_and_the_controls_keep_the_platforms_size(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _answer_window(make_core, open_window, qtbot, finish)
    question, answer = window.view.widgets
    assert _read_out_points(answer.body) >= 11
    assert QFontInfo(answer.body.font()).pixelSize() >= 14  # about 15 px on a 96-dpi screen
    assert _read_out_points(question.body, "hi") == _read_out_points(answer.body)  # the bubble
    for control in (window.composer.editor, answer.footer.copy, window.menuBar()):
        assert control.font().pointSizeF() == _system_points(), control
    quick = FormattedAnswer(window, 100)  # the quick window's answer: the same reading type
    assert quick.browser.font().pointSizeF() == answer.body.font().pointSizeF()
    quick.deleteLater()


def test_the_text_size_and_the_zoom_grow_the_answer_and_not_the_controls(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _answer_window(make_core, open_window, qtbot, finish)
    answer = window.view.widgets[1]
    editor = window.composer.editor
    settings = window.settings.current
    window.settings.apply(replace(settings, ui=replace(settings.ui, font_size=14)))
    qtbot.waitUntil(lambda: _read_out_points(window.view.widgets[1].body) == 14)
    assert editor.font().pointSizeF() == _system_points()
    assert window.formatter.reading.text_px == QFontInfo(answer.body.font()).pixelSize()

    window.settings.zoom_to(150)  # View ▸ Zoom in, to 150 %
    qtbot.waitUntil(lambda: _read_out_points(window.view.widgets[1].body) == 21)
    assert editor.font().pointSizeF() == _system_points()
    assert answer.footer.copy.font().pointSizeF() == _system_points()


def test_a_zoom_keeps_the_answer_formatted_while_it_is_formatted_again(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _answer_window(make_core, open_window, qtbot, finish)
    answer = window.view.widgets[1]
    window.settings.zoom_to(125)
    assert "```" not in answer.body.toPlainText()  # not its Markdown as plain text meanwhile
    code = f"font-size: {window.formatter.reading.code_pt:g}pt"
    qtbot.waitUntil(lambda: answer.rendered is not None and code in answer.rendered.html)


def test_lines_are_half_again_as_tall_as_the_fonts_own_formatted_or_plain(qtbot: QtBot) -> None:
    for show in ("formatted", "plain"):
        body = MessageBrowser()
        qtbot.addWidget(body)
        body.resize(400, 300)
        if show == "formatted":
            options = RenderOptions(reading=reading_type(current_reading_font()))
            body.show_rendered(render_markdown(WORDS, options))
        else:
            body.show_plain(WORDS)  # while it is being formatted: its lines as tall already
        body.document().setTextWidth(400)
        lines = body.document().begin().layout()
        assert lines.lineCount() >= 3, show
        natural = QFontMetricsF(body.font()).height()
        step = lines.lineAt(2).y() - lines.lineAt(1).y()
        assert step == pytest.approx(1.5 * natural, abs=1), show


# -- code's grounds -------------------------------------------------------------------------------


def _shown_alone(qtbot: QtBot, look: Look, text: str) -> tuple[QWidget, MessageBrowser]:
    """`text` formatted as the window formats it, in a message view on the look's surface."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, THEMES[look])
    ground = QWidget()
    qtbot.addWidget(ground)
    ground.setAutoFillBackground(True)
    ground.setStyleSheet(f"background: {colours(look)['surface']}")
    body = MessageBrowser()
    QVBoxLayout(ground).addWidget(body)
    options = RenderOptions(
        palette=render_palette(look), reading=reading_type(current_reading_font())
    )
    body.show_rendered(render_markdown(text, options))
    ground.resize(640, 100)
    ground.show()
    qtbot.waitUntil(lambda: body.height() >= body.document().size().height())  # fitted
    ground.resize(640, body.height() + 40)
    return ground, body


def _colour(picture: QImage, x: float, y: float) -> str:
    return QColor(picture.pixel(int(x), int(y))).name()


@pytest.mark.parametrize("look", ["light", "dark", "contrast"])
def test_a_code_block_is_a_rounded_card_under_its_language_and_copy(
    qtbot: QtBot, look: Look
) -> None:
    ground, body = _shown_alone(qtbot, look, ANSWER)
    named = colours(look)
    picture = body.viewport().grab().toImage()
    layout = body.document().documentLayout()
    code = layout.blockBoundingRect(body.document().find("def merge").block())
    middle = code.center().y()
    # Along the first line of code, from the left: the surface, the card's edge, its ground.
    edge = next(
        x for x in range(int(code.left())) if _colour(picture, x, middle) != named["surface"]
    )
    assert _colour(picture, edge + 3, middle) == named["code"]
    # Up from the code, the head with the language and Copy, then the card's top edge.
    column = edge + 3
    top = max(y for y in range(int(code.top())) if _colour(picture, column, y) == named["surface"])
    head = layout.blockBoundingRect(body.document().find("python").block())
    assert top < head.top() < code.top()
    assert _colour(picture, column, top + 3) == named["code_head"]
    assert _colour(picture, edge + 3, code.bottom() + 2) == named["code"]
    # Its corners are round: the corner of the box is the surface, past the curve the head.
    radius = RADIUS["m"]
    assert _colour(picture, edge, top + 1) == named["surface"]
    assert _colour(picture, edge + radius, top + radius) == named["code_head"]
    ground.close()


def _ground_beside(body: MessageBrowser, words: str) -> str:
    """The colour drawn just before the line of `words` begins (inside a code card: its ground)."""
    line = body.document().documentLayout().blockBoundingRect(body.document().find(words).block())
    picture = body.viewport().grab().toImage()
    return _colour(picture, line.left() - 3, line.center().y())


def test_a_streaming_answers_card_follows_its_code_as_it_grows(qtbot: QtBot) -> None:
    ground, body = _shown_alone(qtbot, "light", "Here it comes:")
    named = colours("light")
    options = RenderOptions(
        palette=render_palette("light"), reading=reading_type(current_reading_font())
    )

    def tail(text: str) -> None:  # the unfinished end, formatted as it will be
        shown = render_markdown(text, replace(options, tentative=True))
        body.set_formatted_tail(shown.html, shown.images)

    tail("```python\nfirst = 1")
    qtbot.waitUntil(lambda: _ground_beside(body, "first = 1") == named["code"])
    tail("Two more lines of words\n\nabove the code now.\n\n```python\nfirst = 1\nsecond = 2")
    qtbot.waitUntil(lambda: _ground_beside(body, "second = 2") == named["code"])
    assert _ground_beside(body, "first = 1") == named["code"]  # the card moved down with it
    words = body.document().find("above the code").block()  # where the card stood before
    line = body.document().documentLayout().blockBoundingRect(words)
    picture = body.viewport().grab().toImage()
    assert _colour(picture, body.viewport().width() - 20, line.center().y()) == named["surface"]
    ground.close()


def test_code_within_a_line_stands_on_a_chip_wider_than_its_letters(qtbot: QtBot) -> None:
    ground, body = _shown_alone(qtbot, "light", ANSWER)
    chip = colours("light")["code_inline"]
    picture = body.viewport().grab().toImage()
    found = body.document().find("merge(pairs)")
    start, end = QTextCursor(found), QTextCursor(found)
    start.setPosition(found.selectionStart())
    end.setPosition(found.selectionEnd())
    left, right = body.cursorRect(start), body.cursorRect(end)
    middle = left.center().y()
    assert _colour(picture, left.left() - 1, middle) == chip  # its ground past its letters
    assert _colour(picture, right.right() + 1, middle) == chip
    assert _colour(picture, left.left() - 12, middle) != chip  # the words before it have none
    ground.close()


def test_a_tables_header_row_is_shaded_under_its_chips_of_code(qtbot: QtBot) -> None:
    ground, body = _shown_alone(qtbot, "light", "| Name | `id` |\n|---|---|\n| alpha | beta |\n")
    named = colours("light")
    picture = body.viewport().grab().toImage()

    def before(words: str) -> str:
        found = body.document().find(words)
        start = QTextCursor(found)
        start.setPosition(found.selectionStart())
        place = body.cursorRect(start)
        return _colour(picture, place.left() - 1, place.center().y())

    assert before("Name") == named["table_head"]  # the header's shade, not a chip's
    assert before("id") == named["code_inline"]  # its chip of code stands on the shade
    assert before("alpha") == named["surface"]  # the rows under it unshaded
    ground.close()


@pytest.mark.parametrize("look", ["light", "dark"])
def test_a_rule_is_a_quiet_line_with_room_around_it(qtbot: QtBot, look: Look) -> None:
    ground, body = _shown_alone(qtbot, look, "One part.\n\n---\n\nAnother part.")
    named = colours(look)
    layout = body.document().documentLayout()
    above = layout.blockBoundingRect(body.document().find("One part").block())
    below = layout.blockBoundingRect(body.document().find("Another part").block())
    picture = body.viewport().grab().toImage()
    drawn = {
        y: _colour(picture, 40, y)
        for y in range(int(above.bottom()), int(below.top()))
        if _colour(picture, 40, y) != named["surface"]
    }
    assert set(drawn.values()) == {named["rule"]}  # the tables' rule colour, not the text's
    assert min(drawn) - above.bottom() >= 12  # room above it
    assert below.top() - max(drawn) >= 12  # and below
    ground.close()


def test_copy_on_a_code_cards_head_copies_the_code(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _answer_window(make_core, open_window, qtbot, finish)
    body = window.view.widgets[1].body
    copy = body.document().find("Copy")
    assert not copy.isNull()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton, pos=_middle(body, copy))
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == CODE)


def _middle(body: MessageBrowser, found: QTextCursor) -> QPoint:
    start = QTextCursor(found)
    start.setPosition(found.selectionStart() + 1)
    return body.cursorRect(start).center()
