"""An answer laid out as the peers lay it out: a wide table keeps its cells on one line and
the answer scrolls sideways to it; display maths at the text's size and the screen's pixel
ratio; a quote's bar on the side its text begins; a nested list right under its item."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetrics, QImage, QTextBlock, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.chat import repository as repo
from chatdesk.core.render import render_markdown
from chatdesk.core.render.formulas import load_math
from chatdesk.core.render.model import RenderOptions
from chatdesk.core.render.tables import MAX_TABLE_COLUMNS
from chatdesk.core.store.models import Role, Status
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_conversation import open_thread, seed_answer

ROWS = (
    ("Engine", "Best at", "Runs as", "Licence", "Written in", "First released", "Writers"),
    (
        "SQLite",
        "local apps and files",
        "a library in the app",
        "public domain",
        "C",
        "2000",
        "one at a time",
    ),
    (
        "PostgreSQL",
        "shared data, many writers",
        "a server of its own",
        "PostgreSQL licence",
        "C",
        "1996",
        "many at once",
    ),
    (
        "DuckDB",
        "analytics over columns",
        "a library in the app",
        "MIT licence",
        "C++",
        "2019",
        "one process",
    ),
)


def _table(columns: int) -> str:
    """The first `columns` of ROWS, or more: past its seven they come round again."""
    rows = [tuple(row[n % len(row)] for n in range(columns)) for row in ROWS]
    return "\n".join(
        (
            "Engines compared:",
            "",
            *("| " + " | ".join(row) + " |" for row in rows[:1]),
            "|---" * columns + "|",
            *("| " + " | ".join(row) + " |" for row in rows[1:]),
            "",
            "The rows above are what matters most when the data stays on one machine. " * 3,
        )
    )


def _wide_table() -> str:
    """As many columns as it takes for their cells, in the font the window has, to be wider
    than the window they are shown in (800 px): wider than the reading column with any font,
    a narrow one (Noto Sans) too, within the columns a table may have."""
    metrics = QFontMetrics(QApplication.font())
    widths = [
        max(metrics.horizontalAdvance(c) for c in column) for column in zip(*ROWS, strict=True)
    ]
    columns = len(ROWS[0])
    while sum(widths[n % len(widths)] for n in range(columns)) <= 800:
        columns += 1
    assert columns <= MAX_TABLE_COLUMNS, "a font this narrow needs longer cells"
    return _table(columns)


FOUR_COLUMNS = _table(4)  # fits the reading column, not the smallest window
NARROW_TABLE = "| A | B |\n|---|---|\n| one | two |\n"
LONG_CELL = "a description long enough to be wrapped inside its own column " * 3
LONG_TABLE = f"| Term | Meaning |\n|---|---|\n| WAL | {LONG_CELL} |\n"


def _block(document: QTextDocument, starting: str) -> QTextBlock:
    block = document.begin()
    while block.isValid():  # a cell kept on one line has no-break spaces
        if block.text().replace("\xa0", " ").startswith(starting):
            return block
        block = block.next()
    raise AssertionError(f"no block starts with {starting!r}")


def _rect(browser: MessageBrowser, starting: str) -> QRectF:
    document = browser.document()
    return document.documentLayout().blockBoundingRect(_block(document, starting))


def _answer(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, text: str, width: int = 800
) -> MessageBrowser:
    core = make_core()
    thread = seed_answer(core, finish, text)
    window: MainWindow = open_window(core)
    width = max(width, window.minimumWidth())
    window.resize(width, 600)
    qtbot.waitUntil(lambda: window.width() == width)
    open_thread(window, qtbot, thread.id, 2)
    return window.view.widgets[1].body


# -- tables ---------------------------------------------------------------------------------------


def test_a_wide_table_keeps_its_cells_and_the_answer_scrolls_sideways(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    body = _answer(make_core, open_window, qtbot, finish, _wide_table())
    bar = body.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert bar.isVisible()
    assert body.document().size().width() > body.viewport().width()  # wider than the view
    for cell in ("shared data, many writers", "PostgreSQL licence", "First released"):
        assert _block(body.document(), cell).layout().lineCount() == 1, cell  # not wrapped
    assert _block(body.document(), "The rows above").layout().lineCount() > 1  # words wrap
    # The scroll bar has its own room: the table's last row is not hidden under it.
    assert _rect(body, "DuckDB").bottom() <= body.viewport().height()
    bar.setValue(bar.maximum())  # scrolled to the last column
    assert bar.value() > 0


def test_in_a_right_to_left_window_a_wide_answer_opens_at_its_lines_start(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, qapp: QApplication
) -> None:
    """Qt lays the table out left to right in any language; a right-to-left scroll bar starts
    at the right, which would hide the lines' beginnings."""
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        body = _answer(make_core, open_window, qtbot, finish, FOUR_COLUMNS, width=1600)
        assert body.horizontalScrollBar().maximum() == 0  # the table fits
        body.window().resize(body.window().minimumSize())  # now it does not
        qtbot.waitUntil(lambda: body.horizontalScrollBar().maximum() > 0)
        found = body.document().find("Engines compared")
        found.setPosition(found.selectionStart())
        start = body.cursorRect(found)
        assert start.left() >= 0  # the lines' start in sight
        assert start.right() < body.viewport().width()
    finally:
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _followed() -> tuple[str, ...]:
    return (_wide_table(), "And for a phone?", "SQLite again: " + "one writer, one file. " * 30)


def _seed_turns(core: Any, finish: Any, texts: tuple[str, ...]) -> Any:
    """A thread of these messages, answer and question in turn from an answer on."""
    thread = finish(core.service.create_thread(title="turns"))

    def work(session: Any) -> None:
        row = repo.thread_row(session, thread.id)
        now, parent = row.created_at, None
        for role, text in zip(itertools.cycle((Role.USER, Role.ASSISTANT)), ("hi", *texts)):
            parent = repo.insert_message(session, now, row, parent, role, Status.COMPLETE, text)
        repo.set_active_leaf(session, row, parent.id)

    core.insides.store.write_now(work)
    return thread


def _in_window(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


@pytest.mark.parametrize(
    "direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft]
)
def test_latest_covers_neither_an_answers_text_nor_its_sideways_scroll_bar(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, direction: Qt.LayoutDirection
) -> None:
    """At 800×600 (Arabic too) the column fills the view: "↓ Latest" stands under it, wherever
    the view is scrolled, never over an answer's lines or the bar that scrolls its table."""
    core = make_core()
    thread = _seed_turns(core, finish, _followed())
    window: MainWindow = open_window(core)
    window.setLayoutDirection(direction)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    open_thread(window, qtbot, thread.id, 4)
    view, body = window.view, window.view.widgets[1].body
    sideways, bar, jump = body.horizontalScrollBar(), view.verticalScrollBar(), view._jump
    qtbot.waitUntil(lambda: sideways.maximum() > 0 and bar.maximum() > 0)
    seen_with_bar = 0
    for value in range(bar.maximum(), -1, -8):
        bar.setValue(value)
        if not jump.isVisible():
            continue
        port = _in_window(view.viewport())
        for widget in view.widgets:
            assert not _in_window(jump).intersects(_in_window(widget.body) & port), value
        scroller = _in_window(sideways) & port
        assert not _in_window(jump).intersects(scroller), value
        seen_with_bar += not scroller.isEmpty()
    assert seen_with_bar > 0  # the button showed while the table's scroll bar was in sight


def test_a_table_that_fits_does_not_scroll(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    body = _answer(make_core, open_window, qtbot, finish, NARROW_TABLE)
    qtbot.waitUntil(lambda: _block(body.document(), "one").isValid())
    assert body.horizontalScrollBar().maximum() == 0
    assert not body.horizontalScrollBar().isVisible()


def test_a_long_cell_wraps_in_a_column_of_its_own_not_a_sliver(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    """At the window's narrowest, a long cell is still a readable column (it wraps at its
    widest, about 24 letters' height wide), and the table scrolls to it."""
    body = _answer(make_core, open_window, qtbot, finish, LONG_TABLE, width=0)
    text_px = QFontInfo(body.font()).pixelSize()
    qtbot.waitUntil(lambda: _block(body.document(), "a description").layout().lineCount() > 1)
    cell = _rect(body, "a description")
    assert cell.width() >= 20 * text_px
    assert cell.width() <= 26 * text_px
    assert _block(body.document(), "WAL").layout().lineCount() == 1


# -- display maths --------------------------------------------------------------------------------


def _formula_image(browser: MessageBrowser) -> tuple[QImage, int]:
    """The displayed formula's picture as the view draws it, and its height in the HTML."""
    rendered = browser.document().toHtml()
    start = rendered.index('src="math:') + len('src="')
    name = rendered[start : rendered.index('"', start)]
    image = browser.loadResource(QTextDocument.ResourceType.ImageResource.value, name)
    assert isinstance(image, QImage)
    height = rendered[rendered.index('height="', start) + len('height="') :]
    return image, int(height[: height.index('"')])


def test_display_maths_is_as_large_as_the_text_and_sharp_on_the_screen(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    load_math()  # the math library loaded, as the render child does at its start
    text = "The height of the tree:\n\n$$h \\le \\log_{b} \\frac{n + 1}{2}$$\n\nand no more."
    body = _answer(make_core, open_window, qtbot, finish, text)
    image, height = _formula_image(body)
    assert image.devicePixelRatio() == body.devicePixelRatioF()  # pixel for pixel
    assert image.height() / image.devicePixelRatio() == height
    text_px = QFontInfo(body.font()).pixelSize()
    # A displayed fraction is set at full size, numerator over denominator: about three lines
    # of the text's height, not squeezed into two as within a line.
    assert height >= 2.6 * text_px
    assert height <= 4 * text_px


def test_a_formula_for_a_denser_screen_has_its_pixels_and_the_same_size(
    qtbot: QtBot,
) -> None:
    load_math()
    browser = MessageBrowser()
    qtbot.addWidget(browser)
    sizes = []
    for ratio in (1.0, 2.0):
        browser.show_rendered(render_markdown("$$x^2 + y^2$$", RenderOptions(pixel_ratio=ratio)))
        image, height = _formula_image(browser)
        assert image.devicePixelRatio() == ratio
        assert abs(image.height() - ratio * height) <= ratio  # drawn for it, not scaled up
        sizes.append(image.deviceIndependentSize().height())
    assert abs(sizes[0] - sizes[1]) <= 0.15 * sizes[0]  # the same size on the screen (rounded)


# -- quotes ---------------------------------------------------------------------------------------

QUOTES = (
    "> An English quote, its bar on the left.\n\n"
    "> **٢٠٢٤**: اقتباس بالعربية، شريطه على اليمين.\n\nAfter the quotes."
)


def _bar_columns(browser: MessageBrowser, starting: str) -> list[int]:
    """The columns where the quote bar's colour is drawn on the line of this quote."""
    from chatdesk.ui.theme import current_look
    from chatdesk.ui.theme.colours import colours

    bar = QColor(colours(current_look())["quote_bar"])
    picture = browser.viewport().grab().toImage()
    line = int(_rect(browser, starting).center().y())
    return [x for x in range(picture.width()) if picture.pixelColor(x, line) == bar]


def test_a_quotes_bar_is_on_the_side_its_text_begins(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    body = _answer(make_core, open_window, qtbot, finish, QUOTES)
    english, arabic = _rect(body, "An English"), _rect(body, "٢٠٢٤")
    english_bar, arabic_bar = _bar_columns(body, "An English"), _bar_columns(body, "٢٠٢٤")
    assert english_bar
    assert arabic_bar
    assert max(english_bar) < english.left() + 2  # left of the English text
    assert min(arabic_bar) > arabic.right() - 2  # right of the Arabic text
    assert min(arabic_bar) > body.viewport().width() / 2


# -- lists ----------------------------------------------------------------------------------------

LISTS = """Steps:

1. Open the file, then
   - read a row
   - sum it
2. Close it
   1. flush first
      - then close
3. Done
"""


def _gap(body: MessageBrowser, above: str, below: str) -> float:
    return _rect(body, below).top() - _rect(body, above).bottom()


def test_a_nested_list_follows_its_item_as_the_next_item_would(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    body = _answer(make_core, open_window, qtbot, finish, LISTS)
    step = _gap(body, "read a row", "sum it")  # from one item to the next of one list
    assert step < QFontInfo(body.font()).pixelSize()  # its line's leading and a little more
    for above, below in (
        ("Open the file", "read a row"),
        ("sum it", "Close it"),
        ("Close it", "flush first"),
        ("flush first", "then close"),
        ("then close", "Done"),
    ):
        assert _gap(body, above, below) == pytest.approx(step, abs=1), (above, below)


def test_a_list_ended_by_a_nested_one_keeps_its_gap_below_not_above(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    text = "- [x] check the writers\n- [ ] the licence\n  - SQLite\n  - PostgreSQL\n\nAfter."
    body = _answer(make_core, open_window, qtbot, finish, text)
    step = _gap(body, "☑ check the writers", "☐ the licence")
    assert _gap(body, "☐ the licence", "SQLite") == pytest.approx(step, abs=1)
    assert _gap(body, "PostgreSQL", "After") >= step + 6  # the list's gap
