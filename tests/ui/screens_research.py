"""Screenshots of research mode: the composer with Research on; a research run under way (its
plan, the searches and reads done, one page still being read, the status bar's step with the
pages and minutes used); and the report written after Stop, citing the pages that were read,
its sources listed under it. A real run, the mock as the model, against a SearXNG and its pages
served on 127.0.0.1. Light and dark. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_research [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.core.chat.events import Event, SourcesFound
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.ui.screens import _core, _still, _until, run_alone

QUESTION = "What was decided about the footbridge over the Lenne?"
STORIES = ("Council approves the Lenne footbridge", "Footbridge: what happens next")


async def research_screens(app: QApplication, out: Path) -> None:
    for theme in ("light", "dark"):
        web = FakeWeb().start()
        try:
            await _run(app, out, theme, web)
        finally:
            web.close()


async def _run(app: QApplication, out: Path, theme: str, web: FakeWeb) -> None:
    urls = [
        web.page(f"/news/{n}", article().replace("Footbridge approved", title))
        for n, title in enumerate(STORIES, 1)
    ]
    held = web.route("/news/held", hold=True)  # read until Stop
    hits = [(title, url, "") for title, url in zip(STORIES, urls, strict=True)]
    web.json("/searx/search", searxng_answer([*hits, ("Still loading", held, "")]))
    home = out / f".research-{theme}"
    shutil.rmtree(home, ignore_errors=True)  # the chats of an earlier run go
    core = _core(
        CHATDESK_HOME=str(home),
        CHATDESK_WEB_ENGINE="searxng",
        CHATDESK_WEB_SEARXNG_URL=f"{web.origin}/searx",
        CHATDESK_WEB_ALLOW_PRIVATE=web.allow,
        CHATDESK_WEB_RESEARCH_PARALLEL="3",
    )
    await core.start()
    apply_theme(app, theme)
    window = MainWindow(core.service)
    window.resize(1280, 900)
    window.show()
    window.start()
    try:
        research = window.composer.plus_menu.research  # "+" ▸ Research
        await _until(research.isVisible)
        research.trigger()  # as a click on the entry does: the web goes with it
        await _until(lambda: window.composer.web.researching)
        window.composer.editor.setPlainText(QUESTION)
        await _until(_still(window))
        _save(window, out / f"research-switch-{theme}.png")
        read: list[Event] = []
        core.service.events.subscribe(
            lambda e: read.append(e) if isinstance(e, SourcesFound) and len(e.sources) > 1 else None
        )
        window.composer._row.send.click()  # as the user sends it
        await _until(lambda: bool(read), seconds=30)
        await asyncio.sleep(0.3)  # the cards and the status bar take the last events
        window.view.jump_to_latest()
        await _until(_still(window))
        _save(window, out / f"research-running-{theme}.png")
        window.sending.stop()
        thread = window.current_thread_id
        assert thread is not None
        page = await core.service.list_messages(thread)
        await core.service.wait_for_answer(page.messages[-1].id)
        await _until(lambda: "What the pages say" in window.view.widgets[-1].body.toPlainText())
        await asyncio.sleep(0.3)
        window.view.jump_to_latest()
        await _until(_still(window))
        _save(window, out / f"research-report-{theme}.png")
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()
        await core.aclose()


def _save(window: MainWindow, path: Path) -> None:
    window.grab().save(str(path))
    print(path)


def run() -> int:
    return run_alone(research_screens)


if __name__ == "__main__":
    sys.exit(run())
