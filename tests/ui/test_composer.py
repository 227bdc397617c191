"""The composer driven as a person would: typing, keys, pasting, dropping, clicking."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QIcon,
    QInputMethodEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.core.tokens.estimate import estimate_tokens
from chatdesk.core.views import AttachmentInput
from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.attachments import AttachmentChip
from chatdesk.ui.composer.editor import MAX_LINES, PASTE_LIMIT_BYTES
from chatdesk.ui.composer.widget import DRAFT_DELAY_MS
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.icons import HIDDEN_PROPERTY, ICON_PROPERTY
from tests.ui.pixels import inked

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ENTER = Qt.Key.Key_Return

MakeComposer = Callable[..., Composer]


@pytest.fixture
def make_composer(qtbot: QtBot) -> MakeComposer:
    """`make_composer(window_height=900, enter_sends=True)`: shown in an active window."""
    windows: list[QWidget] = []  # qtbot holds widgets weakly

    def make(window_height: int = 900, enter_sends: bool = True) -> Composer:
        window = QWidget()
        qtbot.addWidget(window)
        windows.append(window)
        layout = QVBoxLayout(window)
        layout.addStretch(1)  # the conversation would be here
        composer = Composer(enter_sends=enter_sends)
        layout.addWidget(composer)
        window.resize(600, window_height)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        composer.focus_editor()
        qtbot.waitUntil(composer.editor.hasFocus)
        return composer

    return make


@pytest.fixture
def composer(make_composer: MakeComposer) -> Composer:
    return make_composer()


def _send_button(composer: Composer) -> QToolButton:
    found = composer.findChild(QToolButton, "sendButton")
    assert found is not None
    return found


def _sent(qtbot: QtBot, composer: Composer, act: Callable[[], None]) -> list[Any]:
    with qtbot.waitSignal(composer.send_requested, timeout=1000) as blocker:
        act()
    return list(blocker.args or [])


def _chips(composer: Composer) -> list[AttachmentChip]:
    return [chip for chip in composer.findChildren(AttachmentChip) if chip.isVisibleTo(composer)]


def _paste(qtbot: QtBot, composer: Composer, mime: QMimeData) -> None:
    QApplication.clipboard().setMimeData(mime)
    qtbot.keyClick(composer.editor, Qt.Key.Key_V, CTRL)


def _text_mime(text: str) -> QMimeData:
    mime = QMimeData()
    mime.setText(text)
    return mime


def _url_mime(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def _enter(target: QWidget, mime: QMimeData) -> None:
    """What Qt delivers when the user drags `mime` over `target`."""
    point = QPointF(target.width() / 2, target.height() / 2)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point, action, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()


def _drop(target: QWidget, mime: QMimeData) -> None:
    """What Qt delivers when the user drags `mime` over `target` and lets go."""
    _enter(target, mime)
    point = QPointF(target.width() / 2, target.height() / 2)
    action = Qt.DropAction.CopyAction
    drop = QDropEvent(point, action, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


# --- sending ----------------------------------------------------------------------------------


def test_enter_sends_and_shift_enter_starts_a_new_line(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer.editor, "first line")
    qtbot.keyClick(composer.editor, ENTER, SHIFT)
    qtbot.keyClicks(composer.editor, "second line")
    assert composer.text() == "first line\nsecond line"

    args = _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER))
    assert args == ["first line\nsecond line", []]
    assert composer.text() == "first line\nsecond line"  # cleared only once it is saved

    composer.clear_after_send()
    assert composer.text() == ""
    assert not composer.findChild(QWidget, "attachmentChip")


def test_with_ctrl_enter_mode_enter_is_a_newline(qtbot: QtBot, make_composer: MakeComposer) -> None:
    composer = make_composer(enter_sends=False)
    assert "Ctrl+Enter" in composer.editor.placeholderText()
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClicks(composer.editor, "one")
        qtbot.keyClick(composer.editor, ENTER)
        qtbot.keyClicks(composer.editor, "two")
    assert composer.text() == "one\ntwo"
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER, CTRL)) == [
        "one\ntwo",
        [],
    ]


def test_switching_enter_behaviour_changes_keys_and_hints(qtbot: QtBot, composer: Composer) -> None:
    send = _send_button(composer)
    assert send.toolTip() == "Send (Enter)"
    composer.set_enter_sends(False)
    assert send.toolTip() == "Send (Ctrl+Enter)"
    qtbot.keyClicks(composer.editor, "a")
    qtbot.keyClick(composer.editor, ENTER)
    assert composer.text() == "a\n"

    composer.set_enter_sends(True)
    assert send.toolTip() == "Send (Enter)"
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER))[0] == "a\n"
    # Ctrl+Enter sends in both modes.
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER, CTRL))[0] == "a\n"


def test_send_button_sends(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer.editor, "hello")
    send = _send_button(composer)
    assert _sent(qtbot, composer, lambda: qtbot.mouseClick(send, LEFT)) == ["hello", []]


def test_blank_text_cannot_be_sent_but_an_attachment_alone_can(
    qtbot: QtBot, composer: Composer
) -> None:
    send = _send_button(composer)
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.editor, ENTER)
        qtbot.keyClicks(composer.editor, "   ")
        qtbot.keyClick(composer.editor, ENTER, SHIFT)
        qtbot.keyClicks(composer.editor, "\t ")
        qtbot.keyClick(composer.editor, ENTER)
        qtbot.keyClick(composer.editor, ENTER, CTRL)
        qtbot.mouseClick(send, LEFT)
    assert not send.isEnabled()

    composer.set_text("")
    notes = AttachmentInput("notes.txt", "some notes", kind="file")
    composer.add_attachment(notes)
    assert send.isEnabled()
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER)) == ["", [notes]]


def _face(button: QToolButton) -> tuple[str, str, str]:
    """What the button shows and says: its icon's name, its accessible name, its tooltip."""
    icon = button.property(ICON_PROPERTY)
    assert isinstance(icon, str)
    return icon.split()[0], button.accessibleName(), button.toolTip()


def test_the_send_button_turns_into_stop_while_an_answer_is_written(
    qtbot: QtBot, composer: Composer
) -> None:
    button = _send_button(composer)
    assert _face(button) == ("send", "Send", "Send (Enter)")
    assert not button.isEnabled()  # nothing to send, nothing to stop
    qtbot.keyClicks(composer.editor, "next question")
    assert button.isEnabled()
    with qtbot.assertNotEmitted(composer.stop_requested):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)

    composer.set_streaming(True)
    assert _face(button) == ("stop", "Stop", "Stop the answer (Esc)")
    assert button.isEnabled()
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.editor, ENTER)
    assert composer.text() == "next question"  # Enter neither sent nor added a line
    with qtbot.waitSignal(composer.stop_requested, timeout=1000):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)
    with (
        qtbot.assertNotEmitted(composer.send_requested),
        qtbot.waitSignal(composer.stop_requested, timeout=1000),
    ):
        qtbot.mouseClick(button, LEFT)

    composer.set_streaming(False)
    assert _face(button) == ("send", "Send", "Send (Enter)")
    assert _sent(qtbot, composer, lambda: qtbot.mouseClick(button, LEFT)) == ["next question", []]
    composer.set_text("")
    assert not button.isEnabled()
    composer.set_streaming(True)  # nothing to send, but an answer to stop
    assert button.isEnabled()
    assert _face(button)[0] == "stop"


def test_the_keyboard_focus_goes_back_to_the_editor_once_the_button_is_used(
    qtbot: QtBot, composer: Composer
) -> None:
    after = QLineEdit(composer.window())  # where Qt would send the focus next
    after.setAccessibleName("Elsewhere")
    after.show()
    button = _send_button(composer)
    composer.set_streaming(True)
    button.setFocus(Qt.FocusReason.TabFocusReason)
    with qtbot.waitSignal(composer.stop_requested, timeout=1000):
        qtbot.keyClick(button, Qt.Key.Key_Space)
    composer.set_streaming(False)  # stopped, nothing to send: greyed
    assert composer.editor.hasFocus()

    qtbot.keyClicks(composer.editor, "hello")
    button.setFocus(Qt.FocusReason.TabFocusReason)
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(button, ENTER)) == ["hello", []]
    composer.clear_after_send()
    assert composer.editor.hasFocus()


def test_the_buttons_icons_come_after_the_first_paint_and_nothing_moves(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    composer = Composer()
    layout.addWidget(composer)
    composer.set_tools([("search", "Search")], set())
    buttons = [b for b in composer.findChildren(QToolButton) if b.property(ICON_PROPERTY)]
    assert {b.objectName() for b in buttons} == {"plusButton", "sendButton"}
    assert all(b.property(HIDDEN_PROPERTY) for b in buttons), "drawn while it was built"
    window.resize(600, 300)
    window.show()
    sizes = [(b.sizeHint(), b.minimumSizeHint()) for b in buttons]  # what the layout uses
    qtbot.waitUntil(lambda: not any(b.property(HIDDEN_PROPERTY) for b in buttons))
    assert [(b.sizeHint(), b.minimumSizeHint()) for b in buttons] == sizes
    send = _send_button(composer)
    drawn = send.icon().pixmap(QSize(18, 18), QIcon.Mode.Disabled).toImage()
    assert inked(drawn) == {colours(current_look())["text_disabled"]}  # greyed: nothing to send


def test_busy_disables_send(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer.editor, "hello")
    composer.set_busy(True)
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.editor, ENTER)
    composer.set_busy(False)
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER))[0] == "hello"


def test_enter_while_an_input_method_composes_is_left_to_it(
    qtbot: QtBot, composer: Composer
) -> None:
    editor = composer.editor
    with qtbot.assertNotEmitted(composer.send_requested):
        QApplication.sendEvent(editor, QInputMethodEvent("にほん", []))
        qtbot.keyClick(editor, ENTER)  # the input method's key: pick the candidate
    commit = QInputMethodEvent("", [])
    commit.setCommitString("日本")
    QApplication.sendEvent(editor, commit)
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(editor, ENTER))[0].strip() == "日本"


# --- growing ----------------------------------------------------------------------------------


def _type_lines(qtbot: QtBot, composer: Composer, count: int) -> None:
    for index in range(count):
        if index:
            qtbot.keyClick(composer.editor, ENTER, SHIFT)
        qtbot.keyClicks(composer.editor, f"line {index + 1}")


def test_editor_grows_line_by_line_without_scrolling_then_stops(
    qtbot: QtBot, composer: Composer
) -> None:
    editor = composer.editor
    bar = editor.verticalScrollBar()
    qtbot.keyClicks(editor, "line 1")
    heights = [editor.height()]
    for lines in range(2, MAX_LINES + 4):
        qtbot.keyClick(editor, ENTER, SHIFT)
        qtbot.keyClicks(editor, f"line {lines}")
        # Checked at once, before Qt paints: the text must never scroll while it still fits.
        if lines <= MAX_LINES:
            assert bar.maximum() == 0, f"{lines} lines should fit"
            assert editor.firstVisibleBlock().blockNumber() == 0, "the text jumped"
        heights.append(editor.height())
    growth = [after - before for before, after in itertools.pairwise(heights)]
    assert growth[0] == 0, "two lines fit from the start"
    line_height = growth[1]
    assert line_height > 0
    assert growth[1 : MAX_LINES - 1] == [line_height] * (MAX_LINES - 2)
    assert growth[MAX_LINES - 1 :] == [0, 0, 0], "it stops growing"
    assert bar.maximum() == 3
    assert editor.cursorRect().bottom() <= editor.viewport().height()  # the caret stays in view


def test_editor_never_takes_more_than_40_percent_of_the_window(
    qtbot: QtBot, make_composer: MakeComposer
) -> None:
    composer = make_composer(window_height=300)
    _type_lines(qtbot, composer, MAX_LINES)
    assert composer.editor.verticalScrollBar().maximum() > 0
    assert composer.editor.height() <= 0.4 * 300

    composer.window().resize(600, 1200)
    qtbot.waitUntil(lambda: composer.editor.verticalScrollBar().maximum() == 0)
    assert composer.editor.height() > 0.4 * 300


def test_clearing_shrinks_the_editor_back(qtbot: QtBot, composer: Composer) -> None:
    empty = composer.editor.height()
    _type_lines(qtbot, composer, 6)
    assert composer.editor.height() > empty
    composer.clear_after_send()
    assert composer.editor.height() == empty


# --- huge pastes, attachments, drops ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "in_editor"),
    [
        ("a" * (PASTE_LIMIT_BYTES - 1), True),
        ("a" * PASTE_LIMIT_BYTES, True),
        ("a" * (PASTE_LIMIT_BYTES + 1), False),
        ("é" * (PASTE_LIMIT_BYTES // 2 + 1), False),  # 2 bytes each: counted in UTF-8 bytes
    ],
    ids=["64KB-1", "64KB", "64KB+1", "multibyte-64KB+2"],
)
def test_pastes_over_64_kb_become_an_attachment(
    qtbot: QtBot, composer: Composer, text: str, in_editor: bool
) -> None:
    _paste(qtbot, composer, _text_mime(text))
    assert (composer.text() == text) is in_editor
    assert (
        composer.attachments() == [AttachmentInput("Pasted text", text, kind="paste")]
    ) is not in_editor
    assert len(_chips(composer)) == (0 if in_editor else 1)


def test_a_5_mb_paste_is_a_chip_at_once(qtbot: QtBot, composer: Composer) -> None:
    line = "x" * 249 + "\n"
    text = line * 20_000 + "last <b>line</b> & more"  # 5 MB, 20,001 lines
    QApplication.clipboard().setText(text)
    qtbot.keyClick(composer.editor, Qt.Key.Key_V, CTRL)
    # Laid out in the editor, 5 MB would take seconds; it never reaches it, and the chip says
    # what it holds (the benchmark `attachments` times a paste until its chip shows).
    assert composer.editor.document().characterCount() == 1  # the empty block alone
    assert composer.text() == ""
    assert composer.attachments()[0].text == text
    [chip] = _chips(composer)
    assert "Pasted text · 4.8 MB · 20,001 lines" in chip.accessibleDescription()
    preview = chip.toolTip().split("<pre>")[1].removesuffix("</pre>").split("\n")
    assert preview[-1] == "…"
    assert len(preview) == 21  # the first 20 lines, shortened
    assert all(len(line) <= 120 for line in preview)


def test_chip_preview_is_escaped(qtbot: QtBot, composer: Composer) -> None:
    composer.add_attachment(
        AttachmentInput("page.html", '<img src="/dev/zero"> & <b>', kind="file")
    )
    [chip] = _chips(composer)
    assert "&lt;img src=&quot;/dev/zero&quot;&gt; &amp; &lt;b&gt;" in chip.toolTip()
    assert "<img" not in chip.toolTip()


def test_chips_show_name_and_size_and_remove_with_their_button(
    qtbot: QtBot, composer: Composer
) -> None:
    notes = AttachmentInput("notes.txt", "n" * 3500, kind="file")
    todo = AttachmentInput("todo.md", "- one\n- two", kind="file")
    composer.add_attachment(notes)
    composer.add_attachment(todo)
    first, second = _chips(composer)
    cost = estimate_tokens(notes.text)  # what the chip says a file costs before it is counted
    assert first.accessibleDescription() == f"notes.txt · 3.4 KB · ≈{cost:,} tokens"
    assert second.accessibleDescription().startswith("todo.md · 11 B · ≈")
    assert first.remove_button.accessibleName() == "Attachment notes.txt, remove"

    qtbot.mouseClick(first.remove_button, LEFT)
    assert composer.attachments() == [todo]
    qtbot.waitUntil(lambda: len(_chips(composer)) == 1)
    assert composer.editor.hasFocus()


def test_many_chips_wrap_onto_rows_and_none_is_cut_off(
    qtbot: QtBot, make_composer: MakeComposer
) -> None:
    composer = make_composer()
    composer.window().resize(360, 600)
    for index in range(6):
        composer.add_attachment(AttachmentInput(f"file-{index}.txt", "x" * 1000, kind="file"))
    strip = composer.findChild(QWidget, "attachmentStrip")
    assert strip is not None
    chips = _chips(composer)
    qtbot.waitUntil(lambda: len({chip.y() for chip in chips}) > 1)  # more than one row
    for chip in chips:
        assert strip.rect().contains(chip.geometry()), "a chip is cut off"
        assert chip.height() == chip.sizeHint().height()
    assert composer.editor.geometry().top() >= strip.geometry().bottom()


def test_pasted_or_dropped_files_are_handed_to_the_window(
    qtbot: QtBot, composer: Composer, tmp_path: Path
) -> None:
    notes, other = tmp_path / "notes.txt", tmp_path / "other.md"
    with qtbot.waitSignal(composer.files_dropped, timeout=1000) as pasted:
        _paste(qtbot, composer, _url_mime(QUrl.fromLocalFile(str(notes))))
    assert pasted.args == [[notes]]

    mime = _url_mime(QUrl.fromLocalFile(str(other)), QUrl("https://example.org/page"))
    with qtbot.waitSignal(composer.files_dropped, timeout=1000) as dropped:
        _drop(composer.editor.viewport(), mime)
    assert dropped.args == [[other]]
    assert composer.text() == "https://example.org/page"  # a web address is just text

    with qtbot.waitSignal(composer.files_dropped, timeout=1000) as on_buttons:
        _drop(composer, _url_mime(QUrl.fromLocalFile(str(notes))))
    assert on_buttons.args == [[notes]]


def test_dropped_huge_text_becomes_an_attachment(qtbot: QtBot, composer: Composer) -> None:
    text = "y" * (PASTE_LIMIT_BYTES + 10)
    _drop(composer.editor.viewport(), _text_mime(text))
    assert composer.text() == ""
    assert composer.attachments() == [AttachmentInput("Pasted text", text, kind="paste")]


# --- drafts and models -----------------------------------------------------------------------


def test_draft_changes_are_announced_once_after_typing_stops(
    qtbot: QtBot, composer: Composer
) -> None:
    announced: list[str] = []
    composer.draft_changed.connect(lambda: announced.append(composer.text()))
    started = time.monotonic()
    qtbot.keyClicks(composer.editor, "draft")
    assert announced == []
    qtbot.waitUntil(lambda: announced == ["draft"], timeout=DRAFT_DELAY_MS * 4)
    assert time.monotonic() - started >= 0.9 * DRAFT_DELAY_MS / 1000  # coarse timers: ±5 %
    composer.add_attachment(AttachmentInput("a.txt", "a", kind="file"))
    qtbot.waitUntil(lambda: len(announced) == 2, timeout=DRAFT_DELAY_MS * 4)


def test_loading_a_draft_is_not_an_edit_and_flush_sends_a_pending_one(
    qtbot: QtBot, composer: Composer
) -> None:
    notes = AttachmentInput("notes.txt", "n", kind="file")
    with qtbot.assertNotEmitted(composer.draft_changed, wait=DRAFT_DELAY_MS * 2):
        composer.set_draft("saved text", [notes])
    assert composer.text() == "saved text"
    assert composer.attachments() == [notes]
    assert len(_chips(composer)) == 1

    qtbot.keyClicks(composer.editor, "!")
    with qtbot.waitSignal(composer.draft_changed, timeout=50):
        composer.flush_draft()
    assert composer.text() == "saved text!"


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_model_picker(qtbot: QtBot, composer: Composer) -> None:
    models = [("mock/mock-1", "Mock 1"), ("openai/gpt-4o", "GPT-4o")]
    with qtbot.assertNotEmitted(composer.model_changed):
        composer.set_models(models, "openai/gpt-4o")
    pill = composer.findChild(QToolButton, "modelPicker")
    assert pill is not None
    assert pill.text().startswith("GPT-4o")  # what the user sees chosen
    assert pill.accessibleName() == "Model"

    pill.setFocus()
    qtbot.keyClick(pill, ENTER)  # Enter opens the picker, its search field ready
    menu = composer.model_menu
    qtbot.waitUntil(menu.isVisible)
    qtbot.waitUntil(menu.search.hasFocus)
    qtbot.keyClicks(menu.search, "mock")
    with qtbot.waitSignal(composer.model_changed, timeout=1000) as chosen:
        qtbot.keyClick(menu.search, ENTER)
    assert chosen.args == ["mock/mock-1"]
    assert not menu.isVisible()
    assert pill.text().startswith("Mock 1")

    composer.set_models(models, "gone/old-model")  # a thread's model that is not offered now
    assert pill.text().startswith("old-model")


# --- keyboard and screen readers -------------------------------------------------------------


def _tab_through(qtbot: QtBot, composer: Composer, steps: int = 5) -> list[str]:
    composer.focus_editor()
    names = []
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        assert widget is not None
        names.append(widget.accessibleName())
    return names


def _offer_everything(composer: Composer) -> None:
    """An assistant chosen, a tool server and Web on, a knowledge base and two models to compare
    offered, a cost: every entry of "+" shows, and three chips (the assistant, Tools, Web)."""
    composer.set_models([("mock/mock-1", "Mock 1"), ("mock/mock-2", "Mock 2")], "mock/mock-1")
    composer.set_assistants([("a1", "Tutor", QIcon())], "a1")
    composer.set_tools([("search", "Search your chats")], {"search", "web"})
    composer.set_knowledge([("k1", "Home")], set())
    composer.set_compare([("mock/mock-1", "Mock 1"), ("mock/mock-2", "Mock 2")], [], False)
    composer.show_send_cost("≈ $0.42 to send", "The thread's history and the message")


ROW = [
    "Attach and more",
    "Tutor",  # the assistant's chip: its words open who answers
    "Answer without Tutor",  # its ✕
    "Tools · 1",
    "Switch the tool servers off for this chat",
    "Switch Web off",  # Web's chip has nothing to choose: its ✕ alone
    "Model",
    "Send",
]


def test_tab_goes_from_the_editor_through_every_control_in_order(
    qtbot: QtBot, composer: Composer
) -> None:
    _offer_everything(composer)
    qtbot.keyClicks(composer.editor, "hello")
    # "+" first, the chips as they read, the model, send last; the host window has nothing
    # else, so focus wraps around.
    assert _tab_through(qtbot, composer, len(ROW) + 1) == [*ROW, "Message"]
    plus, *chips, model, send = composer.tab_chain()[1:]
    spots = [w.mapTo(composer, w.rect().center()) for w in chips]
    assert spots == sorted(spots, key=lambda p: (p.y(), p.x())), "Tab does not read the chips"
    xs = [w.mapTo(composer, w.rect().center()).x() for w in (plus, *chips, model, send)]
    assert xs[0] == min(xs)
    assert xs[-1] == max(xs)

    send.setFocus(Qt.FocusReason.TabFocusReason)
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(send, Qt.Key.Key_Space)) == ["hello", []]
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(send, ENTER)) == ["hello", []]


def test_tab_order_skips_what_cannot_be_used_and_reaches_chips(
    qtbot: QtBot, composer: Composer
) -> None:
    composer.set_models([("mock/mock-1", "Mock 1")], "mock/mock-1")
    composer.add_attachment(AttachmentInput("notes.txt", "n", kind="file"))
    qtbot.keyClicks(composer.editor, "hello")
    chip = "Attachment notes.txt, remove"
    plus = "Attach and more"
    assert _tab_through(qtbot, composer) == [chip, plus, "Model", "Send", "Message"]
    composer.set_streaming(True)
    assert _tab_through(qtbot, composer) == [chip, plus, "Model", "Stop", "Message"]
    composer.set_streaming(False)
    composer.set_busy(True)  # nothing to send for now, nothing to stop: greyed and skipped
    assert _tab_through(qtbot, composer, 4) == [chip, plus, "Model", "Message"]


def test_every_control_has_a_name_and_the_buttons_a_tooltip(
    qtbot: QtBot, composer: Composer
) -> None:
    _offer_everything(composer)
    composer.add_attachment(AttachmentInput("notes.txt", "n", kind="file"))
    controls = [b for b in composer.findChildren(QAbstractButton) if b.isVisibleTo(composer)]
    # The row's, each chip's words and ✕, and the attachment's ✕.
    assert sorted(c.accessibleName() for c in controls) == sorted(
        [*ROW, "Web", "Attachment notes.txt, remove"]
    )
    for control in [composer.editor, *controls]:
        assert control.accessibleName(), f"{control.objectName()} has no name"
    for control in controls:
        assert control.toolTip(), f"{control.objectName()} has no tooltip"
    for widget in composer.findChildren(QWidget):
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(composer):
            assert widget.accessibleName(), f"{type(widget).__name__} has no name"


# --- the box ----------------------------------------------------------------------------------


def _edge(composer: Composer) -> tuple[str, str]:
    """The colours of the box's top two rows of pixels, halfway along: its edge."""
    box = composer.findChild(QWidget, "composerBox")
    assert box is not None
    image = box.grab().toImage()
    return QColor(image.pixel(box.width() // 2, 0)).name(), QColor(
        image.pixel(box.width() // 2, 1)
    ).name()


def test_the_box_rings_while_anything_in_it_has_the_focus(qtbot: QtBot, composer: Composer) -> None:
    named = colours(current_look())
    ring = (named["focus"], named["focus"])  # 2 px
    other = QLineEdit(composer.window())
    other.setAccessibleName("Elsewhere")
    other.show()
    assert _edge(composer) == ring  # the editor has the focus
    qtbot.keyClick(composer.editor, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is composer.findChild(QWidget, "plusButton")
    assert _edge(composer) == ring
    other.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(other.hasFocus)
    assert _edge(composer) == (named["border_strong"], named["surface"])  # 1 px


def _zone(composer: Composer) -> QWidget | None:
    """The drop zone, if it shows."""
    zone = composer.findChild(QWidget, "composerDropZone")
    return zone if zone is not None and zone.isVisible() else None


def test_a_drop_zone_shows_while_files_are_dragged_over(
    qtbot: QtBot, composer: Composer, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    files = _url_mime(QUrl.fromLocalFile(str(notes)))
    box = composer.findChild(QWidget, "composerBox")
    assert box is not None
    for target in (composer, composer.editor.viewport()):
        _enter(target, files)
        zone = _zone(composer)
        assert zone is not None, f"no drop zone over {type(target).__name__}"
        assert zone.geometry() == box.rect()  # over the whole box
        assert box.children()[-1] is zone  # on top of everything in it
        labels = [label.text() for label in zone.findChildren(QLabel)]
        assert "Drop files to attach" in labels
        QApplication.sendEvent(target, QDragLeaveEvent())
        assert _zone(composer) is None

    for target in (composer, composer.editor.viewport()):
        with qtbot.waitSignal(composer.files_dropped, timeout=1000) as dropped:
            _drop(target, files)
        assert dropped.args == [[notes]]  # still attached
        assert _zone(composer) is None

    _enter(composer.editor.viewport(), _text_mime("some words"))  # text goes into the editor
    assert _zone(composer) is None
