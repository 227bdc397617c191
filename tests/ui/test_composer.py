"""The composer driven as a person would: typing, keys, pasting, dropping, clicking."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.views import AttachmentInput
from chatdesk.core.tokens.estimate import estimate_tokens
from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.attachments import AttachmentChip
from chatdesk.ui.composer.editor import MAX_LINES, PASTE_LIMIT_BYTES
from chatdesk.ui.composer.widget import DRAFT_DELAY_MS

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


def _drop(target: QWidget, mime: QMimeData) -> None:
    """What Qt delivers when the user drags `mime` over `target` and lets go."""
    point = QPointF(target.width() / 2, target.height() / 2)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point, action, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
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
    send = composer.findChild(QWidget, "sendButton")
    assert send is not None
    assert "(Enter)" in send.toolTip()
    composer.set_enter_sends(False)
    assert "(Ctrl+Enter)" in send.toolTip()
    qtbot.keyClicks(composer.editor, "a")
    qtbot.keyClick(composer.editor, ENTER)
    assert composer.text() == "a\n"

    composer.set_enter_sends(True)
    assert "(Enter)" in send.toolTip()
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER))[0] == "a\n"
    # Ctrl+Enter sends in both modes.
    assert _sent(qtbot, composer, lambda: qtbot.keyClick(composer.editor, ENTER, CTRL))[0] == "a\n"


def test_send_button_sends(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer.editor, "hello")
    send = composer.findChild(QWidget, "sendButton")
    assert send is not None
    assert _sent(qtbot, composer, lambda: qtbot.mouseClick(send, LEFT)) == ["hello", []]


def test_blank_text_cannot_be_sent_but_an_attachment_alone_can(
    qtbot: QtBot, composer: Composer
) -> None:
    send = composer.findChild(QWidget, "sendButton")
    assert send is not None
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


def test_while_streaming_send_waits_and_stop_or_esc_stops(qtbot: QtBot, composer: Composer) -> None:
    send = composer.findChild(QWidget, "sendButton")
    stop = composer.findChild(QWidget, "stopButton")
    assert send is not None
    assert stop is not None
    qtbot.keyClicks(composer.editor, "next question")
    assert send.isEnabled()
    assert not stop.isEnabled()
    with qtbot.assertNotEmitted(composer.stop_requested):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)

    composer.set_streaming(True)
    assert not send.isEnabled()
    assert stop.isEnabled()
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.editor, ENTER)
    assert composer.text() == "next question"  # Enter neither sent nor added a line
    with qtbot.waitSignal(composer.stop_requested, timeout=1000):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)
    with qtbot.waitSignal(composer.stop_requested, timeout=1000):
        qtbot.mouseClick(stop, LEFT)

    composer.set_streaming(False)
    assert send.isEnabled()
    assert not stop.isEnabled()


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
    started = time.perf_counter()
    qtbot.keyClick(composer.editor, Qt.Key.Key_V, CTRL)
    elapsed = time.perf_counter() - started
    # Laying out 5 MB in the editor takes seconds; the chip takes milliseconds.
    assert elapsed < 0.5
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


def test_attach_button_offers_a_file_dialog(
    qtbot: QtBot, composer: Composer, tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen.txt"
    chosen.write_text("hello")
    attach = composer.findChild(QWidget, "attachButton")
    assert attach is not None
    qtbot.mouseClick(attach, LEFT)
    dialog = composer.findChild(QFileDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    with qtbot.waitSignal(composer.files_dropped, timeout=2000) as picked:
        dialog.selectFile(str(chosen))
        dialog.accept()
    assert picked.args == [[chosen]]


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


def test_model_picker(qtbot: QtBot, composer: Composer) -> None:
    models = [("mock/mock-1", "Mock 1"), ("openai/gpt-4o", "GPT-4o")]
    with qtbot.assertNotEmitted(composer.model_changed):
        composer.set_models(models, "openai/gpt-4o")
    picker = composer.findChild(QComboBox, "modelPicker")
    assert picker is not None
    assert picker.currentText() == "GPT-4o"  # what the user sees chosen

    picker.setFocus()
    with qtbot.waitSignal(composer.model_changed, timeout=1000) as chosen:
        qtbot.keyClick(picker, Qt.Key.Key_Up)  # a closed combo box steps with the arrow keys
    assert chosen.args == ["mock/mock-1"]

    composer.set_models(models, "gone/old-model")  # a thread's model that is not offered now
    assert picker.currentData() == "gone/old-model"


# --- keyboard and screen readers -------------------------------------------------------------


def _tab_through(qtbot: QtBot, composer: Composer) -> list[str]:
    composer.focus_editor()
    names = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        assert widget is not None
        names.append(widget.accessibleName() or widget.objectName())
    return names


def test_tab_order_and_accessible_names(qtbot: QtBot, composer: Composer) -> None:
    composer.set_models([("mock/mock-1", "Mock 1")], "mock/mock-1")
    composer.add_attachment(AttachmentInput("notes.txt", "n", kind="file"))
    qtbot.keyClicks(composer.editor, "hello")
    chip, attach = "Attachment notes.txt, remove", "attachButton"
    # Disabled buttons are skipped; the host window has nothing else, so focus wraps around.
    assert _tab_through(qtbot, composer) == [chip, attach, "Model", "sendButton", "Message"]
    composer.set_streaming(True)
    assert _tab_through(qtbot, composer) == [chip, attach, "Model", "stopButton", "Message"]

    for widget in composer.findChildren(QWidget):
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.isVisibleTo(composer):
            label = widget.accessibleName() or getattr(widget, "text", lambda: "")()
            assert label, f"{type(widget).__name__} {widget.objectName()} has no name"
