"""The conversation view: a window over long threads, and rendering that cannot be turned
against the user (no network, no local files, no link opened without consent)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from benchmarks.common import chain, insert_rows, set_leaf
from chatdesk.core.chat import repository as repo
from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.kept import KeptKey
from chatdesk.core.render.model import Rendered
from chatdesk.core.store.models import Role, Status
from chatdesk.ui import application
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.conversation.controller import PAGE, WINDOW
from chatdesk.ui.conversation.model import ConversationModel
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from chatdesk.ui.theme.colours import colours


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that records every request made to it."""
    _Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def desktop() -> Iterator[_Opened]:
    """What would be handed to the desktop's browser, caught instead of opened."""
    opened = _Opened()
    for scheme in ("http", "https", "mailto", "file"):
        QDesktopServices.setUrlHandler(scheme, opened, "open")
    yield opened
    for scheme in ("http", "https", "mailto", "file"):
        QDesktopServices.unsetUrlHandler(scheme)


def seed_thread(core: Any, finish: Any, count: int) -> Any:
    thread = finish(core.service.create_thread(title=f"{count} messages"))
    last = None
    for rows in chain(thread.id, count):
        insert_rows(core, rows)
        last = rows[-1]["id"]
    set_leaf(core, thread.id, last, count)
    return thread


def seed_answer(core: Any, finish: Any, text: str) -> Any:
    """A stored answer with this text, as a hostile server could have sent it."""
    thread = finish(core.service.create_thread(title="hostile"))

    def work(session: Any) -> None:
        row = repo.thread_row(session, thread.id)
        now = row.created_at
        user = repo.insert_message(session, now, row, None, Role.USER, Status.COMPLETE, "hi")
        answer = repo.insert_message(session, now, row, user, Role.ASSISTANT, Status.COMPLETE, text)
        repo.set_active_leaf(session, row, answer.id)

    core.insides.store.write_now(work)
    return thread


def open_thread(window: MainWindow, qtbot: QtBot, thread_id: Any, count: int) -> None:
    window.show_thread(thread_id)
    qtbot.waitUntil(
        lambda: (
            len(window.view.widgets) == count
            and all(w.message.thread_id == thread_id for w in window.view.widgets)
            and all(w.rendered is not None for w in window.view.widgets)
        )
    )


def test_model_passes_the_model_tester(qtmodeltester: Any, make_core: Any, finish: Any) -> None:
    core = make_core()
    thread = seed_thread(core, finish, 40)
    model = ConversationModel()
    model.show(thread.id, finish(core.service.list_messages(thread.id, limit=10)))
    qtmodeltester.check(model)
    first = model.message(0)
    model.prepend(finish(core.service.list_messages(thread.id, before=first.id, limit=10)))
    model.trim_back(15)
    model.append_text(model.message(3).id, " more", "", len(model.message(3).content))
    model.remove([model.message(0).id])
    qtmodeltester.check(model)
    assert model.rowCount() == 14
    assert model.has_more_after
    assert model.has_more_before


def test_a_long_thread_opens_at_the_end_and_pages_in_as_the_user_scrolls_up(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = seed_thread(core, finish, 2_000)
    window = open_window(core)
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: len(window.view.widgets) > 0)
    shown = len(window.view.widgets)
    assert shown < 100  # a page, not the thread
    assert window.conversation.last is not None
    assert window.conversation.last.depth == 1_999
    bar = window.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    for _ in range(WINDOW // PAGE + 2):  # scroll to the top again and again: older pages arrive
        before = window.conversation.message(0).depth
        bar.setValue(0)
        qtbot.waitUntil(lambda: window.conversation.message(0).depth < before)  # noqa: B023
        qtbot.waitUntil(lambda: bar.value() > 0)  # what the user looked at stays in view
    assert len(window.view.widgets) <= WINDOW  # the window is trimmed at the bottom
    assert window.conversation.has_more_after
    qtbot.mouseClick(
        window.view._jump, pytest.importorskip("PySide6.QtCore").Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(
        lambda: window.conversation.last is not None and window.conversation.last.depth == 1_999
    )


HOSTILE = [
    "<script>alert(1)</script> plain words stay",
    '<img src="{web}/raw-img.png"> after raw img',
    "![x]({web}/md-img.png?q=secret) after md img",
    "[link]({web}/link) and ![y](/etc/passwd) and ![z](file:///etc/passwd)",
    '<img src="/dev/zero"> <img src="file:///proc/self/environ">',
    "[click](javascript:alert(1)) [file](file:///etc/passwd) [custom](cherrystudio://x)",
    "<iframe src='{web}/frame'></iframe><link rel=stylesheet href='{web}/css'>",
    '<style>body{{background:url("{web}/bg.png")}}</style> styled',
]


def test_hostile_output_causes_no_request_and_reads_no_file(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: str
) -> None:
    core = make_core()
    window = open_window(core)
    asked: list[str] = []
    for text in HOSTILE:
        thread = seed_answer(core, finish, text.format(web=web))
        open_thread(window, qtbot, thread.id, 2)
        body = window.view.widgets[1].body
        original = body.loadResource

        def spy(kind: int, name: QUrl, _original: Any = original) -> Any:
            asked.append(name.toString())
            return _original(kind, name)

        body.loadResource = spy  # type: ignore[method-assign]
        body.document().markContentsDirty(0, body.document().characterCount())
        for name in ("/etc/passwd", "file:///etc/passwd", "/dev/zero", f"{web}/md-img.png"):
            assert (
                body.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name))
                is None
            )
        assert "root:" not in body.toPlainText()
    assert _Counter.hits == []  # rendering never touched the network
    assert window.view.widgets[1].body.toPlainText().strip().endswith("styled")


def test_links_open_only_after_confirmation_and_never_for_unsafe_schemes(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, desktop: _Opened
) -> None:
    core = make_core()
    window = open_window(core)
    thread = seed_answer(core, finish, "[docs](https://exаmple.com/docs) and more")
    open_thread(window, qtbot, thread.id, 2)
    answer = window.view.widgets[1]
    for href in ("file:///etc/passwd", "javascript:alert(1)", "cherrystudio://install", "/etc"):
        window.actions_.follow_link(href, answer.message.id)
        assert "not opened" in window.statusBar().currentMessage()
        assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    window.actions_.follow_link("https://exаmple.com/docs", answer.message.id)
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    assert "xn--" in box.text()  # the real (punycode) host, not the look-alike
    box.done(QMessageBox.StandardButton.Cancel)
    assert desktop.urls == []
    window.actions_.follow_link("https://example.org/a", answer.message.id)
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    box.done(QMessageBox.StandardButton.Open)
    qtbot.waitUntil(lambda: desktop.urls == ["https://example.org/a"])
    hostile = "mailto:me@b.example?attach=/home/me/.ssh/id_rsa&subject=Hello"
    window.actions_.follow_link(hostile, answer.message.id)
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    assert "Subject: Hello" in box.text()
    assert "Left out of the link: attach" in box.text()
    box.done(QMessageBox.StandardButton.Open)
    qtbot.waitUntil(lambda: len(desktop.urls) == 2)
    assert desktop.urls[1] == "mailto:me@b.example?subject=Hello"  # no file named to attach


def test_a_pathological_message_falls_back_to_plain_text_and_keeps_every_word(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    huge = "start " + "x" * 3_000_000 + " end"
    thread = seed_answer(core, finish, huge)
    open_thread(window, qtbot, thread.id, 2)
    answer = window.view.widgets[1]
    assert answer.rendered is not None
    assert answer.rendered.plain
    assert answer.message.content == huge


def test_a_plain_answer_shows_blank_runs_as_one_and_copies_every_line(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    """Too many lines to format: shown plain, its blank lines drawn as one; Copy as text
    gives what the message holds."""
    core = make_core()
    window = open_window(core)
    text = "top\n\n\n\n\nmiddle\n" + "- a\n" * 11_000 + "\n" * 5_000 + "end"  # < SHOWN_CHARS
    thread = seed_answer(core, finish, text)
    open_thread(window, qtbot, thread.id, 2)
    answer = window.view.widgets[1]
    assert answer.rendered is not None
    assert answer.rendered.plain
    shown = answer.body.toPlainText()
    assert "top\n\nmiddle\n- a\n" in shown
    assert shown.endswith("- a\n\nend")
    window.actions_.copy(answer.message.id, plain=True)
    assert QApplication.clipboard().text() == text


def test_the_kept_formatting_of_deleted_messages_goes_with_them(
    make_core: Any, finish: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = make_core()
    thread = seed_thread(core, finish, 6)
    kept = application._kept_renders(core)
    page = finish(core.service.list_messages(thread.id))
    shown = Rendered("<p>formatted</p>", {}, (), (), plain=False)
    kept.put_many([(KeptKey(m.id, "digest", DOCUMENT, 1.0), shown) for m in page.messages])

    finish(core.service.delete_message(page.messages[4].id))  # it and the answer below it
    kept.submit(kept.message_ids).result(timeout=10)  # what was submitted before is done
    assert set(kept.message_ids()) == {m.id for m in page.messages[:4]}

    # Deleted where the window does not hear of it (the command line, another version).
    core.insides.store.write_now(lambda s: repo.delete_messages(s, [page.messages[3].id]))
    monkeypatch.setattr(application, "PRUNE_KEPT_AFTER", 0)
    finish(application._prune_kept_renders(kept, core.service))
    kept.submit(kept.message_ids).result(timeout=10)
    assert set(kept.message_ids()) == {m.id for m in page.messages[:3]}
    kept.close()


def _formatted_in(window: MainWindow, named: dict[str, str]) -> bool:
    """Whether the answer shows formatted in these colours: its code block's ground and head,
    its quote."""
    rendered = window.view.widgets[1].rendered
    wanted = (named["on_code"], named["text_quiet"])  # code's words, the quote's
    return rendered is not None and all(colour in rendered.html for colour in wanted)


def _code_ground(body: MessageBrowser) -> str:
    """The colour drawn beside the first line of the answer's code block, inside its card."""
    document = body.document()
    line = document.documentLayout().blockBoundingRect(document.find("import").block())
    picture = body.viewport().grab().toImage()
    return QColor(picture.pixel(int(line.left()) - 3, int(line.center().y()))).name()


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    """The QApplication is shared by all tests: back to the light look after."""
    yield
    apply_theme(qapp, "light")


@pytest.mark.usefixtures("restore_theme")
def test_each_looks_colours_reach_the_formatted_messages(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, qapp: QApplication
) -> None:
    """A high-contrast user's code blocks, quotes and formulas are in their look's colours,
    not the dark look's; switching looks formats the messages again in the new colours."""
    core = make_core()
    text = "Run `ls`:\n\n```python\nimport os  # here\n```\n\n> a quote, $x^2$\n"
    thread = seed_answer(core, finish, text)
    window = open_window(core)
    open_thread(window, qtbot, thread.id, 2)
    pictures: set[frozenset[str]] = set()
    for theme, look in (("light", "light"), ("dark", "dark"), ("high-contrast", "contrast")):
        apply_theme(qapp, theme)
        named = colours(look)
        qtbot.waitUntil(functools.partial(_formatted_in, window, named))
        rendered = window.view.widgets[1].rendered
        assert rendered is not None
        assert _code_ground(window.view.widgets[1].body) == named["code"]  # drawn by the view
        pictures.add(frozenset(rendered.images))  # the formula, drawn in the look's text colour
    assert len(pictures) == 3
