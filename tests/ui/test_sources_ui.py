"""An answer from knowledge bases in the window: its [1] is a link that opens the passage
viewer with the passage highlighted in its document; the sources block under it names the file
and the place, folds to one line, and appears while the answer streams; Save original writes
the file's bytes, or says why not when the file changed; a removed base still shows the
passage, with a note."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QPalette, QTextCursor
from pytestqt.qtbot import QtBot

from chatdesk.core.knowledge.model import Stage
from chatdesk.core.service import ChatService
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.conversation.passage_viewer import REMOVED, PassageViewer
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_window import answer_done

QUESTION = "What is the tyre pressure of the car?"
NOTES = {
    "cars.md": "# Car\n\n## Tyres\n\nThe car's tyre pressure is 2.4 bar at the front and "
    "2.2 bar at the back.\n",
    "garden.md": "# Garden\n\nTomatoes need six hours of sun and deep watering twice a week.\n",
}


def make_base(service: ChatService, finish: Any, folder: Path, name: str = "Home") -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    for file, text in NOTES.items():
        (folder / file).write_text(text, encoding="utf-8")
    base = finish(service.knowledge.create(name))
    finish(service.knowledge.add(base.id, folder))
    assert finish(service.knowledge.index(base.id), 20_000).stage is Stage.DONE
    return base


def asked(window: MainWindow, finish: Any, qtbot: QtBot, base_id: uuid.UUID) -> MessageWidget:
    """The question sent with the base, its thread shown and its answer finished."""
    service = window._service
    assert service is not None
    turn = finish(service.send_new(QUESTION, knowledge=[base_id]))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: answer_done(window))
    answer = window.view.widgets[-1]
    qtbot.waitUntil(lambda: answer.rendered is not None and _anchors(answer) != [])
    return answer


def _anchors(widget: MessageWidget) -> list[tuple[str, int, int]]:
    """The links in the message's text: href and where their text is in the document."""
    found: list[tuple[str, int, int]] = []
    block = widget.body.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            href = fragment.charFormat().anchorHref()
            if href:
                found.append((href, fragment.position(), fragment.position() + fragment.length()))
            it += 1
        block = block.next()
    return found


def _viewer(window: MainWindow, qtbot: QtBot) -> PassageViewer:
    passages = window.actions_.passages
    qtbot.waitUntil(lambda: len(passages.viewers) == 1)
    return passages.viewers[0]


def test_a_citation_opens_its_passage_in_the_document(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    base = make_base(core.service, finish, tmp_path / "notes")
    window = open_window(core)
    answer = asked(window, finish, qtbot, base.id)

    [source] = [s for s in answer.message.sources if s.name == "cars.md"]
    assert f"2.4 bar at the front and 2.2 bar at the back. [{source.number}]" in (
        answer.body.toPlainText()
    )
    hrefs = [href for href, _, _ in _anchors(answer)]
    assert f"chatdesk:cite/{source.number}" in hrefs
    assert all(h.startswith("chatdesk:cite/") for h in hrefs)
    href, start, end = next(a for a in _anchors(answer) if a[0].endswith(f"/{source.number}"))
    cursor = QTextCursor(answer.body.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == f"[{source.number}]"

    answer.body.anchorClicked.emit(QUrl(href))  # what a click or Enter on the link does
    viewer = _viewer(window, qtbot)
    assert viewer.windowTitle() == "cars.md — Car › Tyres"
    qtbot.waitUntil(lambda: viewer.text.toPlainText() == NOTES["cars.md"])
    start, end = viewer.passage()
    assert NOTES["cars.md"][start:end] == source.text
    assert "2.4 bar" in source.text
    [selection] = viewer.text.extraSelections()
    highlight = viewer.text.palette().color(QPalette.ColorRole.Highlight)
    assert selection.format.background().color() == highlight
    assert viewer.text.textCursor().position() == start  # scrolled to it
    assert viewer.note.isHidden()

    saved = tmp_path / "copy.md"
    viewer.save_to(saved)
    # the save's end, as the viewer says it: the file exists once it is opened, before it is written
    qtbot.waitUntil(lambda: viewer.status.text() == f"Saved {saved}")
    assert saved.read_bytes() == (tmp_path / "notes" / "cars.md").read_bytes()
    qtbot.waitUntil(lambda: viewer.status.text() == f"Saved {saved}")

    (tmp_path / "notes" / "cars.md").write_text("# Car\n\nIt has new tyres.\n", encoding="utf-8")
    viewer.save_to(tmp_path / "again.md")
    qtbot.waitUntil(lambda: "has changed since it was indexed" in viewer.status.text())
    assert not (tmp_path / "again.md").exists()
    viewer.close()


def test_the_sources_block_lists_and_folds(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    base = make_base(core.service, finish, tmp_path / "notes")
    window = open_window(core)
    answer = asked(window, finish, qtbot, base.id)
    block = answer.sources
    assert block is not None
    assert block.isVisible()
    lines = [row.text() for row in block.rows]
    numbers = {s.name: s.number for s in answer.message.sources}
    assert f"[{numbers['cars.md']}] cars.md — Car › Tyres" in lines
    row = block.rows[[s.name for s in answer.message.sources].index("cars.md")]
    assert row.accessibleName() == f"Source {numbers['cars.md']}: cars.md, in Home"
    assert row.focusPolicy() & Qt.FocusPolicy.TabFocus

    qtbot.mouseClick(block.toggle, Qt.MouseButton.LeftButton)
    assert not block.rows[0].isVisible()
    assert block.toggle.text().startswith("▸ Sources: ")
    assert "cars.md" in block.toggle.text()
    qtbot.mouseClick(block.toggle, Qt.MouseButton.LeftButton)
    assert row.isVisible()

    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)  # a row opens its passage too
    viewer = _viewer(window, qtbot)
    assert viewer.windowTitle() == "cars.md — Car › Tyres"
    viewer.close()


def test_the_sources_show_while_the_answer_streams(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core(tokens_per_second=5)
    base = make_base(core.service, finish, tmp_path / "notes")
    window = open_window(core)
    turn = finish(core.service.send_new(QUESTION, knowledge=[base.id]))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)
    answer = window.view.widgets[-1]
    qtbot.waitUntil(lambda: answer.sources is not None and answer.sources.isVisible())
    assert not answer.message.status.is_final  # there before the answer is
    assert answer.sources is not None
    assert any("cars.md" in row.text() for row in answer.sources.rows)
    finish(core.service.stop(turn.answer.id))


def test_a_removed_base_shows_the_passage_with_a_note(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    base = make_base(core.service, finish, tmp_path / "notes")
    window = open_window(core)
    answer = asked(window, finish, qtbot, base.id)
    finish(core.service.knowledge.delete(base.id))
    [source] = [s for s in answer.message.sources if s.name == "cars.md"]
    answer.body.anchorClicked.emit(QUrl(f"chatdesk:cite/{source.number}"))
    viewer = _viewer(window, qtbot)
    qtbot.waitUntil(lambda: viewer.note.isVisible())
    assert viewer.note.text() == REMOVED
    assert viewer.text.toPlainText() == source.text
    assert viewer.passage() == (0, len(source.text))
    assert not viewer.save_button.isEnabled()
    viewer.close()


def test_a_very_long_document_shows_the_part_around_the_passage(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    folder = tmp_path / "big"
    folder.mkdir()
    filler = "Nothing to see on this line, only words about other things entirely.\n"
    text = filler * 20_000 + "The boiler resets with the red button held ten seconds.\n"
    (folder / "log.txt").write_text(text + filler * 20_000, encoding="utf-8")
    base = finish(core.service.knowledge.create("Big"))
    finish(core.service.knowledge.add(base.id, folder))
    finish(core.service.knowledge.index(base.id), 60_000)
    window = open_window(core)
    turn = finish(core.service.send_new("How does the boiler reset?", knowledge=[base.id]))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: answer_done(window), timeout=10_000)
    [source] = window.view.widgets[-1].message.sources[:1]
    viewer = window.actions_.passages.open(source)
    qtbot.waitUntil(lambda: viewer.note.isVisible())
    assert "the part around the passage is shown" in viewer.note.text()
    shown = viewer.text.toPlainText()
    assert len(shown) < 250_000
    start, end = viewer.passage()
    assert (text + filler * 20_000)[start:end] == source.text
    assert "red button" in source.text
    viewer.close()
