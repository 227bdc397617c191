"""Attachments through the window: a pasted image and a dropped PDF as chips (a pending chip
first, then a thumbnail or the document's pages and cost), sent, shown in the conversation as a
thumbnail and a document chip; the image viewer; Save as; the text the model read; a model
without vision refusing the images while the message stays; the draft's attachments kept
across a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit
from pytestqt.qtbot import QtBot

from chatdesk.ui.main_window import MainWindow
from tests.core import attachment_files as files
from tests.ui.test_window import answer_done, send

LONG = 20_000  # ms: the reading child starts on the first file


def _chips(window: MainWindow) -> list[Any]:
    return list(window.composer._strip.chips)


def _paste_image(window: MainWindow, width: int = 1200, height: int = 900) -> None:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 150, 60))
    mime = QMimeData()
    mime.setImageData(image)
    window.composer.editor.insertFromMimeData(mime)


def test_a_pasted_image_and_a_dropped_pdf_are_sent_and_shown(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(make_core())
    _paste_image(window)
    [pending] = _chips(window)
    assert pending.accessibleDescription() == "Being read"
    assert not window.composer._row.send.isEnabled()  # nothing goes while a file is read
    report = tmp_path / "report.pdf"
    report.write_bytes(files.pdf(["Revenue grew by a third", "Costs stayed flat"]))
    window.composer.files_dropped.emit([report])
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 2, timeout=LONG)
    image_chip, pdf_chip = _chips(window)
    assert image_chip.accessibleDescription().startswith("Pasted image.jpg · 1200×900 · ")
    assert "≈765 tokens" in image_chip.accessibleDescription()
    qtbot.waitUntil(
        lambda: (
            image_chip._picture.pixmap() is not None and not image_chip._picture.pixmap().isNull()
        )
    )
    assert pdf_chip.accessibleDescription().startswith("report.pdf · PDF, 2 pages · ")

    send(qtbot, window, "What are these?")
    qtbot.waitUntil(lambda: answer_done(window), timeout=LONG)
    assert window.composer.attachments() == []
    question, answer = window.view.widgets
    assert answer.attachments is None  # made only for a message that has attachments
    assert question.attachments is not None
    image_button, document_button = question.attachments.buttons
    assert image_button.accessibleName() == "Image Pasted image.jpg"
    qtbot.waitUntil(lambda: not image_button.icon().isNull())
    assert document_button.text().startswith("report.pdf · PDF, 2 pages · ")
    assert "**Pasted image.jpg**: an image, 1200×900 pixels, mostly green" in answer.message.content

    actions = window.actions_.attachments
    qtbot.mouseClick(image_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(actions.viewers) == 1)
    viewer = actions.viewers[0]
    qtbot.waitUntil(lambda: viewer.size_label.text().startswith("1200×900"))
    fitted = viewer.zoom
    viewer.zoom_by(2.0)
    assert viewer.zoom == 2.0 * fitted
    # Drawn at that scale (to the pixel: the aspect ratio is kept from the height too).
    assert abs(viewer._picture.pixmap().width() - 1200 * viewer.zoom) <= 1
    viewer.copy()
    assert QApplication.clipboard().image().size().width() == 1200
    viewer.close()

    saved = tmp_path / "saved.pdf"
    document = question.message.attachments[1]
    actions.save_to(document, saved)
    qtbot.waitUntil(saved.exists)
    assert saved.read_bytes() == report.read_bytes()
    actions.run(document, "text")
    qtbot.waitUntil(lambda: _text_dialog(window) is not None)
    dialog = _text_dialog(window)
    assert dialog is not None
    text = dialog.findChild(QPlainTextEdit).toPlainText()
    assert "--- Page 2 ---\nCosts stayed flat" in text
    dialog.close()


def _text_dialog(window: MainWindow) -> QDialog | None:
    found = [
        d
        for d in window.findChildren(QDialog)
        if d.isVisible() and "text the model read" in d.windowTitle()
    ]
    return found[0] if found else None


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_images_for_a_model_without_vision_are_refused_and_the_message_stays(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    window.composer.set_models(
        [("mock/mock-1", "mock-1"), ("mock/text-only", "text-only")], "mock/text-only"
    )
    window.models.new_chat_model = ("mock", "text-only")
    _paste_image(window, 400, 300)
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=LONG)
    send(qtbot, window, "Describe it")
    qtbot.waitUntil(lambda: "does not take images" in window.statusBar().currentMessage())
    qtbot.waitUntil(lambda: window.composer.model_menu.isVisible())  # choose another
    window.composer.model_menu.hide()
    assert window.composer.text() == "Describe it"
    assert len(window.composer.attachments()) == 1
    assert window.view.widgets == []


def test_the_drafts_attachments_come_back_after_a_restart(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    _paste_image(window, 640, 480)
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=LONG)
    window.composer.set_text("Half-written question")
    window.composer._user_changed()
    window.composer.flush_draft()
    qtbot.waitUntil(lambda: not finish(core.service.load_draft(None)).empty)
    window.close()
    finish(window.aclose())

    again = open_window(core)
    qtbot.waitUntil(lambda: len(again.composer.attachments()) == 1, timeout=LONG)
    [kept] = again.composer.attachments()
    assert (kept.kind, kept.width, kept.height) == ("image", 640, 480)
    assert again.composer.text() == "Half-written question"


def _held(core: Any, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Files are read for real, but only once the returned event is set: the test decides
    whether the user has moved on before a file is ready."""
    gate = asyncio.Event()
    attach_file = core.service.attacher.attach_file

    async def held(path: Path) -> Any:
        await gate.wait()
        return await attach_file(path)

    monkeypatch.setattr(core.service.attacher, "attach_file", held)
    return gate


def _dropped_in_a_chat(
    make_core: Any,
    open_window: Any,
    qtbot: QtBot,
    finish: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Any, MainWindow, Any, Any, asyncio.Event]:
    """A window showing the first of two chats, a PDF dropped in it and held being read."""
    core = make_core()
    window = open_window(core)
    first = finish(core.service.create_thread(title="Report questions"))
    second = finish(core.service.create_thread(title="Something else"))
    gate = _held(core, monkeypatch)
    window.show_thread(first.id)
    qtbot.waitUntil(lambda: window.current_thread_id == first.id and window.drafts.shown)
    report = tmp_path / "report.pdf"
    report.write_bytes(files.pdf(["Revenue grew by a third"]))
    window.composer.files_dropped.emit([report])
    return core, window, first, second, gate


def test_a_file_still_being_read_when_the_user_moves_to_another_chat_waits_in_its_own(
    make_core: Any,
    open_window: Any,
    qtbot: QtBot,
    finish: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core, window, first, second, gate = _dropped_in_a_chat(
        make_core, open_window, qtbot, finish, tmp_path, monkeypatch
    )
    assert [c.accessibleDescription() for c in _chips(window)] == ["Being read"]

    window.show_thread(second.id)  # before the file is ready
    qtbot.waitUntil(lambda: window.current_thread_id == second.id and window.drafts.shown)
    assert _chips(window) == []
    gate.set()
    qtbot.waitUntil(
        lambda: (
            [a.name for a in finish(core.service.load_draft(first.id)).attachments]
            == ["report.pdf"]
        ),
        timeout=LONG,
    )
    assert "report.pdf is ready: it waits in the draft" in window.statusBar().currentMessage()
    assert window.composer.attachments() == []  # not in the other chat's draft

    window.show_thread(first.id)
    qtbot.waitUntil(lambda: [a.name for a in window.composer.attachments()] == ["report.pdf"])


def test_a_file_ready_after_its_chat_was_left_and_shown_again_joins_the_composer(
    make_core: Any,
    open_window: Any,
    qtbot: QtBot,
    finish: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core, window, first, second, gate = _dropped_in_a_chat(
        make_core, open_window, qtbot, finish, tmp_path, monkeypatch
    )
    window.show_thread(second.id)
    qtbot.waitUntil(lambda: window.current_thread_id == second.id)
    window.show_thread(first.id)  # back before the file is ready: its chip went with the switch
    qtbot.waitUntil(lambda: window.current_thread_id == first.id and window.drafts.shown)
    window.composer.set_text("What grew?")
    gate.set()
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=LONG)
    assert window.composer.text() == "What grew?"
    window.composer.flush_draft()
    qtbot.waitUntil(
        lambda: (
            [a.name for a in finish(core.service.load_draft(first.id)).attachments]
            == ["report.pdf"]
        )
    )


def test_a_scans_chip_adds_its_pages_as_images(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(make_core())
    scan = tmp_path / "contract.pdf"
    scan.write_bytes(files.scanned_pdf(2))
    window.composer.files_dropped.emit([scan])
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=LONG)
    [chip] = _chips(window)
    assert chip.accessibleDescription().endswith("a scan: no page has a text layer")
    button = chip.pages_button
    assert button.accessibleName() == "Attachment contract.pdf, add its pages as images"
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)  # by keyboard
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 3, timeout=LONG)
    names = [a.name for a in window.composer.attachments()]
    assert names == ["contract.pdf", "contract page 1.jpg", "contract page 2.jpg"]
    assert [a.kind for a in window.composer.attachments()] == ["document", "image", "image"]
    assert (button.isEnabled(), button.text()) == (False, "Pages added")  # not twice
    qtbot.waitUntil(lambda: all(c._picture.pixmap() is not None for c in _chips(window)[1:]))
