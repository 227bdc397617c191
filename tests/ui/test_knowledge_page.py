"""Preferences ▸ Knowledge, driven through its widgets over a started core on a real SQLite file
and real files in a folder: a base made, a folder added (with its patterns) and indexed, a file
that cannot be read listed with its reason, the base renamed and deleted (the files stay),
vectors made once an embedding model is chosen, and the status following a pass's progress."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.config import Settings
from chatdesk.core.knowledge.model import BaseView, KnowledgeProgressed, Progress, Stage
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.knowledge_page import KnowledgePage
from chatdesk.ui.settings.knowledge_sources import FolderPatterns
from tests.ui.preference_pages import shown_on
from tests.ui.test_preferences import LEFT, show_tab


@pytest.fixture
def page(qtbot: QtBot, core: Core, runner: Runner) -> Iterator[KnowledgePage]:
    service = core.service
    dialog = PreferencesDialog(
        Settings(),
        runner=runner,
        models=service.known_models,
        knowledge=service.knowledge,
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
    )
    shown_on(qtbot, dialog, "Knowledge")
    yield dialog.knowledge
    dialog.close()


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A folder of notes: three to index, one binary file named .txt, one excluded."""
    folder = tmp_path / "notes"
    (folder / "drafts").mkdir(parents=True)
    (folder / "hash-tables.md").write_text("# Hash tables\n\nA hash table keeps keys in buckets.\n")
    (folder / "trees.md").write_text("# Trees\n\nA B-tree keeps its keys sorted in pages.\n")
    (folder / "queues.txt").write_text("A queue hands items out in the order they came in.\n")
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "drafts" / "secret.md").write_text("Not for the index.\n")
    return folder


def _names(page: KnowledgePage) -> list[str]:
    return [page.list.item(i).text() for i in range(page.list.count())]


def _answer_name(qtbot: QtBot, page: KnowledgePage, name: str) -> None:
    dialog = page.name_dialog
    assert isinstance(dialog, QInputDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.setTextValue(name)
    dialog.accept()


def _make_base(qtbot: QtBot, page: KnowledgePage, name: str) -> None:
    """Make a base and wait until the page says it was made: the list may show the new base
    (read on the core's event) before the call that made it has answered."""
    qtbot.mouseClick(page.new_button, LEFT)
    _answer_name(qtbot, page, name)
    qtbot.waitUntil(
        lambda: (
            page.status.text() == f"Made “{name}”."
            and page.current() is not None
            and page.current().name == name
        )
    )


def _add_folder(
    qtbot: QtBot, page: KnowledgePage, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_, **__: str(folder))
    qtbot.mouseClick(page.sources.add_folder_button, LEFT)
    patterns = page.sources.patterns
    assert isinstance(patterns, FolderPatterns)
    qtbot.waitUntil(patterns.isVisible)
    patterns.exclude.setText("drafts/**")
    qtbot.mouseClick(patterns.add_button, LEFT)


def test_a_folder_is_indexed_and_what_could_not_be_read_says_why(
    page: KnowledgePage,
    core: Core,
    qtbot: QtBot,
    finish: Any,
    notes: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert page.list.count() == 0
    assert not page.rename_button.isEnabled()
    assert not page.sources.isEnabled()
    _make_base(qtbot, page, "Notes")
    _add_folder(qtbot, page, monkeypatch, notes)
    qtbot.waitUntil(lambda: page.indexing.state.text().startswith("3 documents · "), timeout=20000)
    assert page.indexing.state.text().endswith(" · keywords only")
    assert not page.indexing.bar.isVisible()
    source = page.sources.tree.topLevelItem(0)
    assert source is not None
    assert [source.text(0), source.text(1), source.text(2)] == [
        str(notes),
        "3 indexed",
        "not drafts/**",
    ]
    qtbot.waitUntil(lambda: page.failures.count() == 1)
    failure = page.failures.item(0).text()
    assert failure.startswith(f"{notes / 'broken.txt'} — "), failure
    assert len(failure) > len(str(notes / "broken.txt")) + 5  # the reason is said
    stored = finish(core.service.knowledge.list())
    assert [(b.name, b.documents, b.failed) for b in stored] == [("Notes", 3, 1)]


def test_the_list_says_each_bases_counts(
    page: KnowledgePage, qtbot: QtBot, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatdesk.ui.settings.knowledge_sources import COUNTS_ROLE

    _make_base(qtbot, page, "Notes")
    _add_folder(qtbot, page, monkeypatch, notes)
    qtbot.waitUntil(
        lambda: str(page.list.item(0).data(COUNTS_ROLE)).startswith("3 documents · "),
        timeout=20000,
    )
    assert page.list.item(0).text() == "Notes"


def test_a_new_base_is_shown_even_when_a_read_begun_before_it_ends_after_it(
    page: KnowledgePage, core: Core, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read of the bases already running when a base is made (an event's, say) ends with a
    list that lacks it: the new base is still the one shown once the next read has it."""
    _make_base(qtbot, page, "Notes")
    knowledge = core.service.knowledge
    listed = knowledge.list
    gate = asyncio.Event()
    held: list[bool] = []

    async def list_held() -> list[BaseView]:
        views = await listed()
        if not held:  # the first read: what was there before, handed over late
            held.append(True)
            await gate.wait()
        return views

    monkeypatch.setattr(knowledge, "list", list_held)
    page.refresh()
    qtbot.waitUntil(lambda: bool(held))
    qtbot.mouseClick(page.new_button, LEFT)
    _answer_name(qtbot, page, "Papers")
    qtbot.waitUntil(lambda: "Made “Papers”." in page.status.text())
    gate.set()
    qtbot.waitUntil(lambda: "Papers" in _names(page))
    qtbot.waitUntil(lambda: page.current() is not None and page.current().name == "Papers")


def test_rename_and_delete_which_asks_first_and_leaves_the_files(
    page: KnowledgePage,
    core: Core,
    qtbot: QtBot,
    finish: Any,
    notes: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _make_base(qtbot, page, "Notes")
    _make_base(qtbot, page, "Papers")
    assert _names(page) == ["Notes", "Papers"]
    qtbot.mouseClick(page.rename_button, LEFT)
    _answer_name(qtbot, page, "Reading list")
    qtbot.waitUntil(lambda: "Reading list" in _names(page))
    assert page.current() is not None
    assert page.current().name == "Reading list"
    _add_folder(qtbot, page, monkeypatch, notes)
    qtbot.waitUntil(lambda: page.indexing.state.text().startswith("3 documents"), timeout=20000)

    qtbot.mouseClick(page.delete_button, LEFT)
    box = page.findChild(QMessageBox, "confirmDelete")
    assert isinstance(box, QMessageBox)
    assert box.isVisible()
    assert box.text() == "Delete the knowledge base “Reading list”?"
    assert "files on disk are not touched" in box.informativeText()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert cancel is not None
    qtbot.mouseClick(cancel, LEFT)
    assert len(finish(core.service.knowledge.list())) == 2

    qtbot.mouseClick(page.delete_button, LEFT)
    box = next(b for b in page.findChildren(QMessageBox, "confirmDelete") if b.isVisible())
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Delete"), LEFT)
    qtbot.waitUntil(lambda: _names(page) == ["Notes"])
    assert page.status.text() == "Deleted “Reading list”"
    assert [b.name for b in finish(core.service.knowledge.list())] == ["Notes"]
    assert (notes / "hash-tables.md").exists()
    assert (notes / "broken.txt").exists()


def test_an_embedding_model_makes_vectors(
    page: KnowledgePage,
    core: Core,
    qtbot: QtBot,
    finish: Any,
    notes: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _make_base(qtbot, page, "Notes")
    _add_folder(qtbot, page, monkeypatch, notes)
    qtbot.waitUntil(lambda: page.indexing.state.text().startswith("3 documents"), timeout=20000)
    row = page.embedding
    assert row.provider.itemText(0) == "Keywords only"
    row.provider.setCurrentIndex(row.provider.findData("mock"))
    assert row.model.itemText(0) == "mock-embed"
    row.model.setCurrentText("mock-embed")
    qtbot.mouseClick(row.apply_button, LEFT)
    base = page.current()
    assert base is not None
    qtbot.waitUntil(lambda: finish(core.service.knowledge.get(base.id)).vectors > 0, timeout=20000)
    stored = finish(core.service.knowledge.get(base.id))
    assert (stored.embedding_provider, stored.embedding_model) == ("mock", "mock-embed")
    said = f"{stored.chunks} passages · {stored.vectors} vectors"
    qtbot.waitUntil(lambda: page.indexing.state.text().endswith(said), timeout=20000)
    assert stored.vectors == stored.chunks

    row.provider.setCurrentIndex(0)  # back to keywords only: the vectors go
    assert not row.model.isEnabled()
    qtbot.mouseClick(row.apply_button, LEFT)
    qtbot.waitUntil(lambda: page.indexing.state.text().endswith(" · keywords only"))


def test_a_refused_model_is_said(
    page: KnowledgePage, qtbot: QtBot, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_base(qtbot, page, "Notes")
    row = page.embedding
    row.show_choice("nowhere", "some-model")  # a provider not set up (any more)
    qtbot.mouseClick(row.apply_button, LEFT)
    qtbot.waitUntil(lambda: page.status.text() == "There is no provider called 'nowhere'.")


def test_progress_is_drawn_coalesced_and_pause_flips_to_resume(
    page: KnowledgePage, qtbot: QtBot, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_base(qtbot, page, "Notes")
    _add_folder(qtbot, page, monkeypatch, notes)
    qtbot.waitUntil(lambda: page.indexing.state.text().startswith("3 documents"), timeout=20000)
    base = page.current()
    assert base is not None
    assert page.indexing.pause_button.text() == "Paus&e"
    assert not page.indexing.pause_button.isEnabled()
    for done in range(1, 501):  # far more than a pass says: drawn once, the latest
        page.apply(
            KnowledgeProgressed(Progress(base.id, Stage.READING, done, 1000, f"/n/{done}.md"))
        )
    other = Progress(uuid.uuid4(), Stage.READING, 1, 2, "/elsewhere.md")
    page.apply(KnowledgeProgressed(other))  # another base's: not shown
    qtbot.waitUntil(lambda: page.indexing.state.text() == "Reading 500 of 1,000 — /n/500.md")
    assert page.indexing.bar.isVisible()
    assert (page.indexing.bar.value(), page.indexing.bar.maximum()) == (500, 1000)
    assert page.indexing.pause_button.isEnabled()
    assert page.indexing.cancel_button.isEnabled()
    assert not page.indexing.index_button.isEnabled()

    qtbot.mouseClick(page.indexing.pause_button, LEFT)
    assert page.indexing.pause_button.text() == "Resum&e"
    assert page.indexing.state.text() == "Paused — 500 of 1,000 files looked at"
    qtbot.mouseClick(page.indexing.pause_button, LEFT)
    assert page.indexing.pause_button.text() == "Paus&e"

    page.apply(KnowledgeProgressed(Progress(base.id, Stage.EMBEDDING, embedded=300, to_embed=900)))
    qtbot.waitUntil(lambda: page.indexing.state.text() == "Vectors 300 of 900")
    problem = "The embedding server did not answer."
    page.apply(KnowledgeProgressed(Progress(base.id, Stage.DONE, problem=problem)))
    qtbot.waitUntil(
        lambda: page.indexing.problem.isVisible() and page.indexing.problem.text() == problem
    )
    assert page.indexing.state.text().startswith("3 documents")
    assert not page.indexing.bar.isVisible()
    assert page.indexing.index_button.isEnabled()
    assert not page.indexing.pause_button.isEnabled()


def test_keys_of_its_own_and_names_for_screen_readers(page: KnowledgePage) -> None:
    """Alt+letter reaches one thing: the page's labels and buttons share no letter with each
    other nor with the tabs, whose letters work from every page."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    def key(text: str) -> str | None:
        return text.replace("&&", "").partition("&")[2][:1].lower() or None

    def text(widget: QWidget) -> str:
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            return widget.text()
        return widget.text() if isinstance(widget, QAbstractButton) else ""

    dialog = page.window()
    assert isinstance(dialog, PreferencesDialog)
    tabs = [key(dialog.tabs.tabText(i)) for i in range(dialog.tabs.count())]
    keys = [(k, text(w)) for w in page.findChildren(QWidget) if (k := key(text(w)))]
    letters = [k for k, _ in keys]
    assert not [t for k, t in keys if letters.count(k) > 1 or k in tabs], keys
    for widget in (page.list, page.sources.tree, page.failures, page.indexing.bar, page.new_button):
        assert widget.accessibleName(), widget.objectName()
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "&Knowledge"


def test_without_the_core_the_tab_says_what_cannot_be_done(qtbot: QtBot, runner: Runner) -> None:
    dialog = PreferencesDialog(Settings(), runner=runner)
    qtbot.addWidget(dialog)
    show_tab(dialog, "Knowledge")
    page = dialog.knowledge
    assert page.status.text() == "Knowledge bases can be managed once your chats are open."
    assert not page.new_button.isEnabled()
