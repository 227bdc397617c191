"""Screenshots of Preferences ▸ Knowledge: a base indexed (its folder, its counts, a file that
could not be read) and one midway through a pass (the progress bar and the file in hand).
Light and dark. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_knowledge [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.knowledge.model import KnowledgeProgressed, Progress, Stage
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _grab_dialog, _until, run_alone

NOTES = {
    "hash-tables.md": "# Hash tables\n\nA hash table keeps its keys in buckets.\n",
    "b-trees.md": "# B-trees\n\nA B-tree keeps its keys sorted in pages.\n",
    "queues.txt": "A queue hands items out in the order they came in.\n",
    "reading-list.md": "- Designing Data-Intensive Applications\n- The Art of SQL\n",
}


async def knowledge_page_screens(app: QApplication, out: Path) -> None:
    from chatdesk.ui.runner import Runner

    core = _core()
    runner = Runner()
    with tempfile.TemporaryDirectory() as folder:
        try:
            await core.start()
            await _seed(core, Path(folder))
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _shoot_page(core, runner, out, theme)
        finally:
            await runner.aclose()
            await core.aclose()


async def _seed(core: Core, folder: Path) -> None:
    notes = folder / "notes"
    notes.mkdir()
    for name, text in NOTES.items():
        (notes / name).write_text(text)
    (notes / "scan.txt").write_bytes(bytes(range(256)) * 8)
    knowledge = core.service.knowledge
    base = await knowledge.create("Engineering notes")
    await knowledge.add(base.id, notes, exclude="drafts/**")
    await knowledge.set_embedding(base.id, "mock", "mock-embed")
    await knowledge.index(base.id)
    await knowledge.create("Papers")


async def _shoot_page(core: Core, runner: object, out: Path, theme: str) -> None:
    from chatdesk.ui.preferences import PreferencesDialog

    service = core.service
    dialog = PreferencesDialog(
        core.config.settings,
        runner=runner,  # type: ignore[arg-type]
        models=service.known_models,
        knowledge=service.knowledge,
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
    )
    page = dialog.knowledge
    dialog.tabs.setCurrentWidget(page)
    # Two bases of its own (the assistants' screenshots may have made others before).
    await _until(lambda: page.list.count() >= 2 and page.failures.count() == 1)
    await _grab_dialog(dialog, out / f"preferences-knowledge-{theme}.png")
    base = page.current()
    assert base is not None
    page.apply(
        KnowledgeProgressed(
            Progress(
                base.id,
                Stage.READING,
                done=412,
                total=1000,
                current="/home/ana/notes/projects/storage-engine/design-review-2024.md",
            )
        )
    )
    await _until(lambda: page.indexing.bar.isVisible())
    await _grab_dialog(dialog, out / f"preferences-knowledge-indexing-{theme}.png")
    dialog.close()
    dialog.deleteLater()


def run() -> int:
    return run_alone(knowledge_page_screens)


if __name__ == "__main__":
    sys.exit(run())
