"""The composer's card, driven as a person would: "+" and its menu (attach, who answers, tools,
Web, Research, knowledge, Compare, memory, the voice conversation), the chips of what is on and
their ✕, the round Send that becomes a round Stop, and the row from the right in Arabic with
every chip's words whole in German and Arabic."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.i18n import tr
from chatdesk.ui import language
from chatdesk.ui.composer import Composer
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import MARK_DEFAULT, colours
from chatdesk.ui.window.style import window_style
from tests.ui.composer_parts import (
    chip_words,
    chips,
    choose,
    close_menus,
    entries,
    entry,
    open_plus,
    switch_off,
)

MODELS = [("mock/mock-1", "Mock 1"), ("mock/mock-2", "Mock 2"), ("mock/mock-3", "Mock 3")]
SERVERS = [("search", "Search your chats"), ("files", "Files")]
BASES = [("k1", "Home"), ("k2", "Work")]


@pytest.fixture
def make_composer(qtbot: QtBot) -> Iterator[Callable[[int], Composer]]:
    """`make_composer(width)`: a composer shown in an active window `width` px wide, styled as
    the main window is."""
    windows: list[QWidget] = []  # qtbot holds widgets weakly

    def make(width: int = 700) -> Composer:
        window = QWidget()
        window.setStyleSheet(window_style())
        qtbot.addWidget(window)
        windows.append(window)
        layout = QVBoxLayout(window)
        layout.addStretch(1)  # the conversation would be here
        composer = Composer()
        layout.addWidget(composer)
        window.resize(width, 500)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        composer.focus_editor()
        return composer

    yield make
    close_menus(qtbot)


@pytest.fixture
def composer(make_composer: Callable[[int], Composer]) -> Composer:
    return make_composer(700)


def _badge() -> QIcon:
    picture = QPixmap(16, 16)
    picture.fill(QColor(MARK_DEFAULT))
    return QIcon(picture)


def _offer_everything(composer: Composer, talk: Callable[[], object] = lambda: None) -> None:
    """Everything a chat can go with offered, nothing of it on."""
    composer.set_models(MODELS, "mock/mock-1")
    composer.set_assistants([("a1", "Tutor", _badge()), ("a2", "Poet", QIcon())], "")
    composer.set_tools(SERVERS, set())
    composer.set_knowledge(BASES, set())
    composer.set_compare(MODELS, [], False)
    composer.memory.offer(True)
    composer.offer_voice_conversation(talk, "Ctrl+Shift+T")


def test_the_plus_menu_lists_what_can_go_with_the_message(qtbot: QtBot, composer: Composer) -> None:
    composer.set_models(MODELS[:1], "mock/mock-1")
    menu = open_plus(qtbot, composer)
    # Nothing offered yet (the core is not open): files alone.
    assert entries(menu) == ["Attach files…", "Resource from a server…"]
    close_menus(qtbot)
    talked: list[bool] = []
    _offer_everything(composer, lambda: talked.append(True))
    menu = open_plus(qtbot, composer)
    # Above the card, from the side of "+": the text typed stays in sight.
    plus, box = (
        composer.findChild(QWidget, "plusButton"),
        composer.findChild(QWidget, "composerBox"),
    )
    assert plus is not None
    assert box is not None
    assert menu.geometry().left() == plus.mapToGlobal(QPoint(0, 0)).x()
    assert menu.geometry().bottom() < box.mapToGlobal(QPoint(0, 0)).y()
    assert entries(menu) == [
        "Attach files…",
        "Resource from a server…",
        "Assistant",
        "Tools",
        "Web",
        "Research",
        "Knowledge",
        "Compare",
        "Memory",
        "Start a voice conversation",
    ]
    assert entry(menu, "Start a voice conversation").text().endswith("\tCtrl+Shift+T")
    assert all(action.toolTip() for action in menu.actions() if not action.isSeparator())
    assert entry(menu, "Memory").isChecked()  # on until switched off
    assert not entry(menu, "Web").isChecked()
    close_menus(qtbot)
    choose(qtbot, composer, "Start a voice conversation")
    assert talked == [True]
    composer.show_talking(True)
    assert "End the voice conversation" in entries(open_plus(qtbot, composer))


def test_attach_files_opens_the_file_dialog(
    qtbot: QtBot, composer: Composer, tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen.txt"
    chosen.write_text("hello")
    choose(qtbot, composer, "Attach files…")
    dialog = composer.findChild(QFileDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    with qtbot.waitSignal(composer.files_dropped, timeout=2000) as picked:
        dialog.selectFile(str(chosen))
        dialog.accept()
    assert picked.args == [[chosen]]
    assert composer.focusWidget() is composer.editor  # the message is typed next

    with qtbot.waitSignal(composer.resources_asked, timeout=1000):
        choose(qtbot, composer, "Resource from a server…")

    composer.refuse_files("A temporary chat keeps no files")
    menu = open_plus(qtbot, composer)
    for words in ("Attach files…", "Resource from a server…"):
        assert not entry(menu, words).isEnabled()
        assert entry(menu, words).toolTip() == "A temporary chat keeps no files"


def test_each_choice_of_the_menu_is_said_and_shows_as_a_chip(
    qtbot: QtBot, composer: Composer
) -> None:
    _offer_everything(composer)
    assert chip_words(composer) == []
    with qtbot.waitSignal(composer.assistant_changed, timeout=1000) as chosen:
        choose(qtbot, composer, "Assistant", "Tutor")
    assert chosen.args == ["a1"]
    with qtbot.waitSignal(composer.tool_toggled, timeout=1000) as ticked:
        choose(qtbot, composer, "Tools", "Files")
    assert ticked.args == ["files", True]
    composer.set_tools(SERVERS, {"files"})  # as the chat's servers come back
    with qtbot.waitSignal(composer.web.switched, timeout=1000) as web:
        choose(qtbot, composer, "Web")
    assert web.args == [True]
    choose(qtbot, composer, "Research")
    assert composer.web.researching
    with qtbot.waitSignal(composer.knowledge_toggled, timeout=1000) as linked:
        choose(qtbot, composer, "Knowledge", "Work")
    assert linked.args == ["k2", True]
    composer.set_knowledge(BASES, {"k2"})
    with qtbot.waitSignal(composer.compare_model_toggled, timeout=1000) as model:
        choose(qtbot, composer, "Compare", "Mock 2")
    assert model.args == ["mock/mock-2", True]
    with qtbot.waitSignal(composer.compare_toggled, timeout=1000) as compare:
        choose(qtbot, composer, "Compare", "Compare the models ticked")
    assert compare.args == [True]
    composer.set_compare(MODELS, ["mock/mock-1", "mock/mock-2"], True)
    with qtbot.waitSignal(composer.memory.switched, timeout=1000) as memory:
        choose(qtbot, composer, "Memory")
    assert memory.args == [False]

    assert chip_words(composer) == [
        "Tutor",
        "Tools · 1",
        "Web",
        "Research",
        "Work",
        "Compare · 2",
        "Memory off",
    ]
    badge = chips(composer)["assistant"].label.icon().pixmap(16, 16).toImage()
    assert badge.pixelColor(8, 8).name() == MARK_DEFAULT  # the assistant's own badge
    model = composer.findChild(QToolButton, "modelPicker")
    assert model is not None
    assert model.text() == "Mock 1 + Mock 2"  # Compare's models answer the next message
    menu = open_plus(qtbot, composer)
    for ticked_entry in ("Web", "Research"):
        assert entry(menu, ticked_entry).isChecked()
    assert not entry(menu, "Memory").isChecked()


def test_a_chips_x_switches_off_what_it_shows(qtbot: QtBot, composer: Composer) -> None:
    _offer_everything(composer)
    composer.set_assistants([("a1", "Tutor", _badge())], "a1")
    composer.set_tools(SERVERS, {"search", "files", "web"})
    composer.web.research(True)
    composer.set_knowledge(BASES, {"k1", "k2"})
    composer.set_compare(MODELS, ["mock/mock-1", "mock/mock-3"], True)
    composer.memory.show_on(False)
    assert chip_words(composer) == [
        "Tutor",
        "Tools · 2",
        "Web",
        "Research",
        "Knowledge · 2",
        "Compare · 2",
        "Memory off",
    ]
    shown = chips(composer)
    assert shown["web"].off.accessibleName() == "Switch Web off"
    assert shown["tools"].toolTip() == "Tool servers on for this chat: Search your chats, Files"
    for chip in shown.values():
        assert chip.off.toolTip() == chip.off.accessibleName()

    switch_off(qtbot, composer, "research")  # Research goes, Web stays
    assert not composer.web.researching
    assert composer.web.on
    assert composer.editor.hasFocus()  # the ✕ that had the focus is gone
    with qtbot.waitSignal(composer.web.switched, timeout=1000) as web:
        switch_off(qtbot, composer, "web")
    assert web.args == [False]
    with qtbot.waitSignal(composer.assistant_changed, timeout=1000) as assistant:
        switch_off(qtbot, composer, "assistant")
    assert assistant.args == [""]
    toggled: list[tuple[str, bool]] = []
    composer.tool_toggled.connect(lambda name, on: toggled.append((name, on)))
    switch_off(qtbot, composer, "tools")
    assert sorted(toggled) == [("files", False), ("search", False)]  # the web is Web's
    unlinked: list[tuple[str, bool]] = []
    composer.knowledge_toggled.connect(lambda key, on: unlinked.append((key, on)))
    switch_off(qtbot, composer, "knowledge")
    assert sorted(unlinked) == [("k1", False), ("k2", False)]
    with qtbot.waitSignal(composer.compare_toggled, timeout=1000) as compare:
        switch_off(qtbot, composer, "compare")
    assert compare.args == [False]
    with qtbot.waitSignal(composer.memory.switched, timeout=1000) as memory:
        switch_off(qtbot, composer, "memory")
    assert memory.args == [True]
    # What the composer holds itself is off at once; the rest once the chat says so.
    assert list(chips(composer)) == ["tools", "knowledge", "compare"]

    composer.memory.show_on(False, "Memory is off: turn it on in Preferences ▸ Memory")
    assert "memory" not in chips(composer)  # not this chat's choice: no chip
    menu = open_plus(qtbot, composer)
    assert not entry(menu, "Memory").isEnabled()
    assert entry(menu, "Memory").toolTip() == "Memory is off: turn it on in Preferences ▸ Memory"


def test_a_chips_words_open_its_choices(qtbot: QtBot, composer: Composer) -> None:
    _offer_everything(composer)
    composer.set_tools(SERVERS, {"files"})
    words = chips(composer)["tools"].label
    words.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(words, Qt.Key.Key_Return)
    tools = composer.plus_menu.tools
    qtbot.waitUntil(tools.isVisible)
    assert tools.title() == "&Tools"
    assert [a.isChecked() for a in tools.actions()] == [False, True]  # Files ticked
    close_menus(qtbot)
    composer.set_compare(MODELS, ["mock/mock-1"], True)  # too few: Compare asks for more
    composer.open_compare()
    compare = composer.plus_menu.compare
    qtbot.waitUntil(compare.isVisible)
    assert [a.isChecked() for a in compare.actions() if a.data()] == [True, False, False]


def test_on_and_off_read_differently(qtbot: QtBot, composer: Composer) -> None:
    _offer_everything(composer)
    composer.set_tools(SERVERS, {"web"})
    menu = open_plus(qtbot, composer)
    assert not entry(menu, "Research").isChecked()
    close_menus(qtbot)
    assert "research" not in chips(composer)  # off: nothing in the row
    choose(qtbot, composer, "Research")
    research = chips(composer)["research"]
    assert entry(composer.plus_menu, "Research").isChecked()
    named = colours(current_look())
    ground = research.grab().toImage().pixelColor(research.width() // 2, 1).name()
    assert ground == named["accent_tint"]  # the tint of what is on, on the card's surface
    assert ground != named["surface"]


def test_send_is_round_and_becomes_a_round_stop(qtbot: QtBot, composer: Composer) -> None:
    send = composer.findChild(QToolButton, "sendButton")
    assert send is not None
    named = colours(current_look())
    qtbot.keyClicks(composer.editor, "hello")
    for stopping in (False, True):
        composer.set_streaming(stopping)
        assert send.accessibleName() == ("Stop" if stopping else "Send")
        assert send.width() == send.height()
        image = composer.grab().toImage()  # the button as it shows, on the card
        corner, side = send.mapTo(composer, QPoint(0, 0)), send.width()
        ring = corner + QPoint(side // 2, 2)  # inside the circle, above the icon
        assert image.pixelColor(ring).name() == named["accent"]
        for inset in (QPoint(1, 1), QPoint(side - 2, side - 2), QPoint(1, side - 2)):
            assert image.pixelColor(corner + inset).name() == named["surface"], "not round"


@pytest.fixture
def arabic(qapp: QApplication) -> Iterator[str]:
    yield language.start(qapp, "ar")
    language.start(qapp, "en")


def test_right_to_left_the_row_starts_from_the_right(
    qtbot: QtBot, arabic: str, make_composer: Callable[[int], Composer]
) -> None:
    composer = make_composer(800)
    _offer_everything(composer)
    composer.set_tools(SERVERS, {"files", "web"})
    composer.set_compare(MODELS, ["mock/mock-1", "mock/mock-2"], True)

    def x(name: str) -> int:
        found = composer.findChild(QWidget, name)
        assert found is not None
        return found.mapTo(composer, found.rect().center()).x()

    shown = list(chips(composer).values())
    xs = [chip.mapTo(composer, chip.rect().center()).x() for chip in shown]
    assert x("sendButton") < x("modelPicker") < min(xs)
    assert max(xs) < x("plusButton")
    assert xs == sorted(xs, reverse=True), "the chips read from the right"
    assert composer.tab_chain()[1:3] == [composer.findChild(QWidget, "plusButton"), shown[0].label]
    menu = open_plus(qtbot, composer)
    assert menu.isRightToLeft()
    assert entries(menu)[0] == tr("Attach &files…").replace("&", "")  # in Arabic
    plus = composer.findChild(QWidget, "plusButton")
    assert plus is not None
    qtbot.waitUntil(lambda: menu.geometry().right() == plus.mapToGlobal(plus.rect().topRight()).x())


@pytest.mark.parametrize("speaking", ["en", "ar"])
def test_the_model_chip_shows_its_chevron_where_its_words_end(
    qtbot: QtBot, qapp: QApplication, speaking: str, make_composer: Callable[[int], Composer]
) -> None:
    language.start(qapp, speaking)
    try:
        composer = make_composer(700)
        composer.set_models(MODELS, "mock/mock-2")
        model = composer.findChild(QToolButton, "modelPicker")
        assert model is not None
        named = colours(current_look())

        def columns(colour: str) -> list[int]:
            """The columns of the chip where `colour` is drawn fully."""
            image = composer.grab().toImage()
            spot = model.mapTo(composer, QPoint(0, 0))
            return [
                x
                for x in range(model.width())
                for y in range(model.height())
                if image.pixelColor(spot + QPoint(x, y)).name() == colour
            ]

        qtbot.waitUntil(lambda: bool(columns(named["text_quiet"])))  # drawn after the first paint
        chevron, words = columns(named["text_quiet"]), columns(named["text"])
        assert words, "the model's name is not drawn"
        if model.isRightToLeft():
            assert max(chevron) < min(words), "the chevron is not before the words, from the right"
        else:
            assert max(words) < min(chevron), "the chevron is not after the words"
    finally:
        language.start(qapp, "en")


@pytest.mark.parametrize("speaking", ["de", "ar"])
def test_every_chip_keeps_its_words_whole_at_the_narrowest(
    qtbot: QtBot, qapp: QApplication, speaking: str, make_composer: Callable[[int], Composer]
) -> None:
    language.start(qapp, speaking)
    try:
        composer = make_composer(700)
        _offer_everything(composer)
        composer.set_assistants([("a1", "Tutor", _badge())], "a1")
        composer.set_tools(SERVERS, {"search", "files", "web"})
        composer.web.research(True)
        composer.set_knowledge(BASES, {"k1", "k2"})
        composer.set_compare(MODELS, [key for key, _ in MODELS], True)
        composer.memory.show_on(False)
        window = composer.window()
        window.resize(composer.needed_width(), 500)  # the window goes no narrower
        qtbot.waitUntil(lambda: composer.width() == composer.needed_width())
        box = composer.findChild(QWidget, "composerBox")
        assert box is not None
        shown = list(chips(composer).values())
        assert len(shown) == 7
        for chip in shown:
            words = chip.label
            assert words.width() >= words.sizeHint().width(), words.text()  # not "Rech…"
            place = chip.geometry().translated(chip.parentWidget().mapTo(box, QPoint(0, 0)))
            assert box.rect().contains(place), f"{words.text()} is cut by the card's edge"
        for control in composer.findChildren(QToolButton):
            if control.isVisibleTo(composer) and control.text():
                assert control.width() >= control.sizeHint().width(), control.text()
        # The chips took a line of their own above the row: "+" and Send keep the corners.
        plus, send = (
            composer.findChild(QWidget, "plusButton"),
            composer.findChild(QWidget, "sendButton"),
        )
        assert plus is not None
        assert send is not None
        row = plus.mapTo(box, QPoint(0, 0)).y()
        assert send.mapTo(box, QPoint(0, 0)).y() + send.height() >= row + plus.height()
        for chip in shown:
            assert chip.mapTo(box, QPoint(0, chip.height())).y() <= row
    finally:
        language.start(qapp, "en")


def test_the_menus_entries_each_have_their_own_letter(qtbot: QtBot, composer: Composer) -> None:
    _offer_everything(composer)
    menu: QMenu = open_plus(qtbot, composer)
    letters = [
        action.text().split("&")[1][0].lower()
        for action in menu.actions()
        if action.isVisible() and not action.isSeparator()
    ]
    assert len(letters) == len(set(letters)) == 10
