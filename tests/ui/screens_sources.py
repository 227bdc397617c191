"""Screenshots of an answer from a knowledge base: its citations as links and the sources block
under it, unfolded and folded, and the passage viewer with the passage highlighted in its
document; and of an answer whose question's document was cut to fit the model, the line under
it that says so. Light and dark. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_sources [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.ui.conversation.frame import CutNotice
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.attachment_files import pdf
from tests.ui.screens import _core, _shoot, _until, run_alone

NOTES = {
    "cars.md": "# Car\n\n## Tyres\n\nThe car's tyre pressure is 2.4 bar at the front and 2.2 bar "
    "at the back. Check it once a month, with the tyres cold.\n\n## Oil\n\nThe oil is changed "
    "every 15,000 km or once a year, whichever comes first.\n",
    "winter.md": "# Winter\n\nWinter tyres go on in October. Their pressure is 0.2 bar higher "
    "than the summer tyres' pressure.\n",
}


async def source_screens(app: QApplication, out: Path) -> None:
    core = _core()
    folder = Path(tempfile.mkdtemp()) / "Car notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "manual.pdf").write_bytes(
        pdf(["Welcome.", "Tyre pressure: see the label on the door. Front 2.4 bar, back 2.2 bar."])
    )
    try:
        await core.start()
        service = core.service
        base = await service.knowledge.create("Car")
        await service.knowledge.add(base.id, folder)
        await service.knowledge.index(base.id)
        turn = await service.send_new("What tyre pressure does the car take?", knowledge=[base.id])
        await service.wait_for_answer(turn.answer.id)
        thread_id = turn.answer.thread_id

        def shown(folded: bool) -> object:
            async def setup(window: MainWindow) -> None:
                window.show_thread(thread_id)
                await _until(lambda: len(window.view.widgets) == 2)
                answer = window.view.widgets[-1]
                await _until(lambda: answer.rendered is not None and answer.sources is not None)
                assert answer.sources is not None
                if folded:
                    answer.sources.toggle.setChecked(False)

            return setup

        await _shoot(app, core, out, "sources", shown(False))
        await _shoot(app, core, out, "sources-folded", shown(True))
        await _shoot_viewer(app, core, out, thread_id)
    finally:
        await core.aclose()


async def _shoot_viewer(app: QApplication, core: object, out: Path, thread_id: object) -> None:
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        window = MainWindow(core.service)  # type: ignore[attr-defined]
        window.resize(1280, 860)
        window.show()
        window.start()
        try:
            window.show_thread(thread_id)
            await _until(lambda w=window: len(w.view.widgets) == 2)
            answer = window.view.widgets[-1]
            await _until(lambda a=answer: a.rendered is not None)
            viewer = window.actions_.passages.open(answer.message.sources[0])
            await _until(lambda v=viewer: bool(v.text.extraSelections()))
            await asyncio.sleep(0.3)
            path = out / f"passage-viewer-{theme}.png"
            viewer.grab().save(str(path))
            print(path)
            viewer.close()
        finally:
            window.close()
            await window.aclose()
            window.deleteLater()


async def cut_screens(app: QApplication, out: Path) -> None:
    core = _core()
    lines = "\n".join(["figures and notes on the quarter, line by line"] * 30)
    pages = [f"Page {n} lists item {n}:\n{lines}" for n in range(1, 41)]
    try:
        await core.start()
        service = core.service
        report = await service.attacher.attach_bytes("report.pdf", pdf(pages))
        thread = await service.create_thread()
        await service.set_thread_context_window(thread.id, 4_000)
        turn = await service.send(thread.id, "What does the report cover?", attachments=[report])
        await service.wait_for_answer(turn.answer.id)

        async def setup(window: MainWindow) -> None:
            window.show_thread(thread.id)
            await _until(lambda: len(window.view.widgets) == 2)
            answer = window.view.widgets[-1]
            await _until(
                lambda: answer.rendered is not None and answer.findChild(CutNotice) is not None
            )

        await _shoot(app, core, out, "document-cut", setup)
    finally:
        await core.aclose()


async def _both(app: QApplication, out: Path) -> None:
    await source_screens(app, out)
    await cut_screens(app, out)


def run() -> int:
    return run_alone(_both)


if __name__ == "__main__":
    sys.exit(run())
