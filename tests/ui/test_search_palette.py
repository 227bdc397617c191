"""The search palette (Ctrl+K) driven by the keyboard: type, see chats and messages, Enter opens
a chat or jumps to a message inside its thread and branch; any text is a search, never an error;
filters narrow what is found."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from benchmarks.common import chain, insert_rows, set_leaf
from chatdesk.app import Core
from chatdesk.core.chat import repository as repo
from chatdesk.core.search import Snippet
from chatdesk.core.store.models import Role, Status
from chatdesk.ui.conversation.flash import Flash
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.search.delegate import _lines, _marks, _ranges
from chatdesk.ui.search.palette import SearchPalette
from chatdesk.ui.search.results import ROW_ROLE, Kind, Row
from tests.ui.test_sidebar import NOW, Seed, seed

KEY = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def open_palette(qtbot: QtBot, window: MainWindow) -> SearchPalette:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, KEY.Key_K, CTRL)
    palette = window.on_demand.palette
    assert palette is not None
    assert palette.isVisible()
    qtbot.waitUntil(lambda: palette.query.hasFocus())
    return palette


def rows(palette: SearchPalette) -> list[Row]:
    model = palette.results_model
    return [model.index(row).data(ROW_ROLE) for row in range(model.rowCount())]


def search(qtbot: QtBot, palette: SearchPalette, text: str, *, paste: bool = False) -> list[Row]:
    """Type (or paste) `text` over what the line holds and wait for its rows."""
    palette.query.selectAll()
    if paste:  # as a paste does: control characters too, which keys cannot type
        palette.query.insert(text)
    else:
        qtbot.keyClicks(palette.query, text)
    qtbot.waitUntil(lambda: not palette.searching)
    return rows(palette)


def write_message(
    core: Core,
    thread_id: uuid.UUID,
    text: str,
    *,
    role: Role = Role.USER,
    parent: uuid.UUID | None = None,
    at: datetime | None = None,
    active: bool = True,
) -> uuid.UUID:
    """A complete message written straight into the store, at a chosen time."""

    def work(session: Any) -> uuid.UUID:
        thread = repo.thread_row(session, thread_id)
        parent_row = repo.message_row(session, parent) if parent else None
        when = at or datetime.now(UTC)
        row = repo.insert_message(session, when, thread, parent_row, role, Status.COMPLETE, text)
        session.flush()
        if active:
            repo.set_active_leaf(session, thread, row.id)
        elif parent_row is not None and parent_row.active_child_id is None:
            parent_row.active_child_id = row.id  # where its branch goes on (the service's rule)
        return row.id

    made: uuid.UUID = core.insides.store.write_now(work)
    return made


# -- chats by title --------------------------------------------------------------------------------


def test_nothing_typed_lists_recent_chats_and_a_title_typed_in_part_opens_its_chat(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    many = [Seed(f"chat {n}", NOW - timedelta(minutes=n)) for n in range(60)]
    *_, budget = seed(core, finish, *many, Seed("Quarterly BUDGET", NOW - timedelta(days=400)))
    window = open_window(core)
    palette = open_palette(qtbot, window)
    qtbot.waitUntil(lambda: len(rows(palette)) == 50)  # the most recent, a screenful
    assert rows(palette)[0].section == "Recent chats"
    assert palette.results.currentIndex().row() == 0

    found = search(qtbot, palette, "budg")  # the start of a word: found as typed
    assert [(r.kind, r.text.text) for r in found] == [(Kind.THREAD, "Quarterly BUDGET")]
    assert found[0].text.highlights == ((10, 16),)  # the word it completes
    with qtbot.waitSignal(palette.thread_chosen) as chosen:
        qtbot.keyClick(palette.query, KEY.Key_Return)
    assert chosen.args == [budget]
    assert not palette.isVisible()
    qtbot.waitUntil(lambda: window.current_thread_id == budget)


def test_enter_typed_before_the_search_ran_opens_what_it_finds(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("alpha one"), Seed("alpha two", NOW - timedelta(hours=1)))
    [beta] = seed(core, finish, Seed("beta", NOW - timedelta(hours=2)))
    window = open_window(core)
    palette = open_palette(qtbot, window)
    qtbot.waitUntil(lambda: len(rows(palette)) == 3)
    qtbot.keyClick(palette.query, KEY.Key_Down)
    assert palette.results.currentIndex().row() == 1
    qtbot.keyClick(palette.query, KEY.Key_Up)
    assert palette.results.currentIndex().row() == 0

    with qtbot.waitSignal(palette.thread_chosen) as chosen:
        qtbot.keyClicks(palette.query, "bet")
        qtbot.keyClick(palette.query, KEY.Key_Return)  # before the search has even begun
    assert chosen.args == [beta]
    qtbot.waitUntil(lambda: window.current_thread_id == beta and not window.controller.loading)


def test_escape_closes_without_opening_and_reopening_keeps_the_query_selected(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, qtmodeltester: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("something"))
    window = open_window(core)
    palette = open_palette(qtbot, window)
    assert search(qtbot, palette, "nothing like it") == []
    assert palette.status.text() == "No results for “nothing like it”."
    with qtbot.assertNotEmitted(palette.thread_chosen):
        qtbot.keyClick(palette.query, KEY.Key_Return)
        qtbot.keyClick(palette.query, KEY.Key_Escape)
    assert not palette.isVisible()

    again = open_palette(qtbot, window)
    assert again is palette  # made once, on the first Ctrl+K
    assert palette.query.selectedText() == "nothing like it"  # typing replaces it
    found = search(qtbot, palette, "some")
    assert [r.text.text for r in found] == ["something"]
    qtmodeltester.check(palette.results_model)


# -- messages --------------------------------------------------------------------------------------


def test_a_word_deep_in_a_long_thread_on_another_branch_opens_there_scrolled_and_flashed(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="A long conversation"))
    last = None
    for batch in chain(thread.id, 500):
        insert_rows(core, batch)
        last = batch[-1]["id"]
    set_leaf(core, thread.id, last, 500)
    page = finish(core.service.list_messages(thread.id, limit=1000))
    parent = page.messages[19]  # message 20 has a second version, not the one on screen
    hit = write_message(
        core, thread.id, "An older take: the zanzibar plan.", parent=parent.id, active=False
    )
    after_hit = write_message(
        core, thread.id, "Answer on that branch", role=Role.ASSISTANT, parent=hit, active=False
    )
    window = open_window(core)
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: window.conversation.last is not None)
    assert window.conversation.last.depth == 499  # the newest page of the active branch

    palette = open_palette(qtbot, window)
    found = search(qtbot, palette, "zanzibar")
    assert [(r.kind, r.message_id) for r in found] == [(Kind.MESSAGE, hit)]
    assert found[0].section == "Messages"
    start, end = found[0].text.highlights[0]
    assert found[0].text.text[start:end] == "zanzibar"
    qtbot.keyClick(palette.query, KEY.Key_Return)

    view = window.view
    qtbot.waitUntil(lambda: view.widget_for(hit) is not None)
    widget = view.widget_for(hit)
    assert widget is not None
    assert widget.findChild(Flash) is not None  # briefly highlighted
    assert window.current_thread_id == thread.id
    shown = [m.id for m in window.conversation.messages()]
    assert shown[shown.index(hit) + 1] == after_hit  # its branch, not the one that was shown
    assert all(m.depth < 100 for m in window.conversation.messages())  # not the newest page
    stored = finish(core.service.get_thread(thread.id))
    assert stored.active_leaf_id == after_hit  # the branch is the thread's active one now

    def in_view() -> bool:
        top = widget.mapTo(view.viewport(), QPoint(0, 0)).y()
        return 0 <= top < view.viewport().height() and widget.rendered is not None

    qtbot.waitUntil(in_view)
    # The messages around it are formatted (and grow); it stays where the user sees it.
    qtbot.waitUntil(lambda: all(w.rendered is not None for w in view.widgets))
    assert in_view()
    assert not view.following
    qtbot.waitUntil(lambda: widget.findChild(Flash) is None, timeout=5000)  # the flash fades
    first = window.conversation.message(0).depth
    view.verticalScrollBar().setValue(0)  # scrolling up reads older pages, as ever
    qtbot.waitUntil(lambda: window.conversation.message(0).depth < first)


def test_a_message_sent_after_jumping_to_an_old_one_shows_at_the_end(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="Two hundred"))
    [batch] = chain(thread.id, 200)
    insert_rows(core, batch)
    set_leaf(core, thread.id, batch[-1]["id"], 200)
    window = open_window(core)
    window.open_message(thread.id, batch[20]["id"])
    qtbot.waitUntil(lambda: window.view.widget_for(batch[20]["id"]) is not None)
    assert window.conversation.has_more_after

    qtbot.keyClicks(window.composer.editor, "And now?")
    qtbot.keyClick(window.composer.editor, KEY.Key_Return)

    def shown_at_end() -> bool:
        messages = window.conversation.messages()
        return (
            len(messages) > 2
            and messages[-2].content == "And now?"
            and messages[-1].status.is_final
            and not window.conversation.has_more_after
        )

    qtbot.waitUntil(shown_at_end)
    assert window.conversation.messages()[-3].id == batch[-1]["id"]


HOSTILE = [
    '"',
    '"unclosed',
    "C++",
    "-",
    "- NOT",
    "-near",
    ":",
    "title:near",
    "*",
    "*near",
    "near*",
    "(",
    ")",
    "(near OR",
    "NEAR(a b, 3)",
    "NEAR",
    "AND OR NOT",
    "^near",
    "'",
    '"" "',
    "near\u0000",
    "\U0001f600 near",
]


def test_hostile_queries_show_results_or_no_results_never_an_error(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="Punctuation"))
    write_message(core, thread.id, 'Meet NEAR the C++ stand: (a b) - \U0001f600 "quoted" it\'s')
    window = open_window(core)
    palette = open_palette(qtbot, window)
    with qtbot.assertNotEmitted(window.runner.failed):
        for query in HOSTILE:
            found = search(qtbot, palette, query, paste=True)
            if not found:
                assert palette.status.text().startswith("No results for"), query
            else:
                assert all(r.thread_id == thread.id for r in found), query
    assert search(qtbot, palette, "NEAR")[0].kind is Kind.MESSAGE  # a word like any other
    assert search(qtbot, palette, '"C++"')[0].kind is Kind.MESSAGE


def test_filters_narrow_what_is_found_and_are_reached_by_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    service = core.service
    work = finish(service.create_project("Work"))
    in_work = finish(service.create_thread(title="Work notes", project_id=work.id))
    pinned = finish(service.create_thread(title="Pinned notes"))
    finish(service.set_pinned(pinned.id, True))
    archived = finish(service.create_thread(title="Old notes"))
    long_ago = datetime.now(UTC) - timedelta(days=800)
    ids = {
        "work": write_message(core, in_work.id, "orchid care at the office"),
        "pinned answer": write_message(
            core, pinned.id, "an orchid needs light", role=Role.ASSISTANT
        ),
        "long ago": write_message(core, pinned.id, "orchid bought", at=long_ago, active=False),
        "archived": write_message(core, archived.id, "orchid in the archive"),
    }
    finish(service.set_archived(archived.id, True))
    names = {value: key for key, value in ids.items()}
    window = open_window(core)
    palette = open_palette(qtbot, window)

    def found() -> set[str]:
        qtbot.waitUntil(lambda: not palette.searching)
        return {names[r.message_id] for r in rows(palette) if r.message_id in names}

    search(qtbot, palette, "orchid")
    assert found() == {"work", "pinned answer", "long ago"}  # archived chats left out

    def choose(key: Qt.Key, combo: QComboBox, text: str) -> None:
        qtbot.keyClick(palette, key, ALT)  # Alt+letter reaches the filter
        assert QApplication.focusWidget() is combo
        asked = palette._asked
        qtbot.keyClick(combo, KEY.Key_Home)
        for _ in range(combo.count()):
            if combo.currentText() == text:
                break
            qtbot.keyClick(combo, KEY.Key_Down)
        assert combo.currentText() == text
        qtbot.waitUntil(lambda: palette._asked > asked)

    filters = palette.filters
    choose(KEY.Key_J, filters.project, "Work")
    assert found() == {"work"}
    choose(KEY.Key_J, filters.project, "All projects")
    choose(KEY.Key_R, filters.role, "Assistant")
    assert found() == {"pinned answer"}
    choose(KEY.Key_R, filters.role, "Anyone")
    choose(KEY.Key_W, filters.period, "Past month")
    assert found() == {"work", "pinned answer"}
    choose(KEY.Key_W, filters.period, "Any time")
    choose(KEY.Key_A, filters.archived, "Only archived")
    assert found() == {"archived"}
    choose(KEY.Key_A, filters.archived, "Not archived")
    qtbot.keyClick(palette, KEY.Key_P, ALT)  # the check box's own mnemonic
    qtbot.waitUntil(filters.pinned.isChecked)  # a mnemonic clicks with a short animation
    assert found() == {"pinned answer", "long ago"}
    assert {r.thread_id for r in rows(palette) if r.kind is Kind.THREAD} <= {pinned.id}

    filters.pinned.setChecked(False)
    filters.period.setCurrentText("Between dates…")
    assert filters.dates.isVisible()
    day = long_ago.astimezone().date()
    filters.since.setDate(day - timedelta(days=1))
    filters.until.setDate(day + timedelta(days=1))
    assert found() == {"long ago"}


# -- drawing ---------------------------------------------------------------------------------------


def _tulips(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, title: str, text: str
) -> tuple[SearchPalette, list[Row]]:
    """A chat titled `title` holding the message `text`, and the palette's rows for "tulip"."""
    core = make_core()
    thread = finish(core.service.create_thread(title=title))
    write_message(core, thread.id, text)
    palette = open_palette(qtbot, open_window(core))
    return palette, search(qtbot, palette, "tulip")


def test_snippets_are_drawn_as_text_with_matched_words_marked_in_both_themes(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    text = '<img src="/etc/passwd"> <b>tulip</b> &amp; \U0001f600 tulip'
    palette, found = _tulips(make_core, open_window, qtbot, finish, "<b>not bold</b>", text)
    [message] = [r for r in found if r.kind is Kind.MESSAGE]
    assert message.text.text == text  # as written: nothing was read as markup
    assert message.detail.startswith("<b>not bold</b> · You · ")
    assert [message.text.text[s:e] for s, e in message.text.highlights] == ["tulip", "tulip"]
    palette.grab()  # the delegate draws it (a failure would reach the excepthook)

    # Qt counts positions in UTF-16 units: the emoji before the second match takes two.
    ranges = _ranges(message.text, _marks(palette.palette(), selected=False))
    first, second = text.index("tulip"), text.rindex("tulip")
    assert [(r.start, r.length) for r in ranges] == [(first, 5), (second + 1, 5)]


def test_a_hits_tooltip_reads_the_message_as_typed_with_its_matched_word_in_bold(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    text = "a > b <i>x</i> &amp; tulip"
    palette, found = _tulips(make_core, open_window, qtbot, finish, "Notes & <u>drafts</u>", text)
    [at] = [n for n, r in enumerate(found) if r.kind is Kind.MESSAGE]
    assert found[at].text.text == text
    tip = palette.results_model.index(at).data(Qt.ItemDataRole.ToolTipRole)
    shown = QTextDocument()  # as Qt shows a tooltip: markup when it looks like markup
    if QtGui.Qt.mightBeRichText(tip):
        shown.setHtml(tip)
    else:
        shown.setPlainText(tip)
    assert shown.toPlainText().startswith(f"{text}\nNotes & <u>drafts</u> · You · ")

    def look(offset: int) -> QTextCharFormat:
        cursor = QTextCursor(shown)
        cursor.setPosition(offset + 1)  # the format of the character before the cursor
        return cursor.charFormat()

    assert look(text.index("tulip")).fontWeight() >= QFont.Weight.Bold
    assert look(text.index("b <")).fontWeight() < QFont.Weight.Bold
    assert not look(text.index("x<")).fontItalic()


def test_a_long_snippet_is_cut_to_its_lines_keeping_its_marks(qapp: QApplication) -> None:
    words = " ".join(f"word{n}" for n in range(60))
    snippet = Snippet(words, ((0, 5), (len(words) - 6, len(words))))
    font = qapp.font()
    marks = _marks(qapp.palette(), selected=False)

    lines = _lines(snippet, font, marks, 300, 2)

    assert len(lines) == 2
    assert lines[0].highlights == ((0, 5),)
    assert lines[1].text.endswith("…")
    assert lines[1].highlights == ()  # the last word's mark was in the part cut off
    assert words.startswith(lines[0].text + lines[1].text[:-1])


@pytest.fixture
def dark(qapp: QApplication) -> Any:
    from chatdesk.ui.theme import apply_theme

    apply_theme(qapp, "dark")
    yield
    apply_theme(qapp, "light")


def test_matched_words_stay_readable_in_the_dark_theme(dark: Any, qapp: QApplication) -> None:
    palette = qapp.palette()
    background = _marks(palette, selected=False).background().color()
    text = palette.color(palette.ColorRole.Text)
    assert abs(text.lightness() - background.lightness()) > 100
