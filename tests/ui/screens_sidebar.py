"""Screenshots of the sidebar with a history: the New chat and Search rows, pinned chats, the
projects as folders (one open), the chats by day (Today … Previous 30 days, then months and
years) with their ages at the end of each row, a chat chosen; and the list filtered by typing in
it. Light and dark (and any language: CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py,
or alone:

    .venv/bin/python tests/ui/screens_sidebar.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import update

from chatdesk.app import Core
from chatdesk.core.store.models import Thread
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _until, shown_window
from tests.ui.screens_compare import _formatted, _save

# (title, how long ago it was last active, its project, pinned)
HISTORY: tuple[tuple[str, timedelta, str | None, bool], ...] = (
    ("Reading list", timedelta(days=3), None, True),
    ("Quarterly report outline", timedelta(hours=5), "Work", False),
    ("Hiring plan", timedelta(days=12), "Work", False),
    ("Garden watering schedule", timedelta(days=40), "Home", False),
    ("Which database for a desktop app?", timedelta(minutes=46), None, False),
    ("Plan a small weekend project", timedelta(hours=3), None, False),
    ("What is a good name for a cat?", timedelta(hours=26), None, False),
    ("Summarise the trade-offs of SQLite's WAL mode", timedelta(days=2, hours=4), None, False),
    ("How do I debounce a search box?", timedelta(days=5), None, False),
    ("Write SQL for the busiest threads of a week", timedelta(days=17), None, False),
    ("A packing list for a week of hiking", timedelta(days=70), None, False),
    ("Explain Raft leader election simply", timedelta(days=420), None, False),
)


async def _seed(core: Core, now: datetime) -> uuid.UUID:
    """The history, each chat answered by the demo and dated back; the first today's id."""
    service = core.service
    projects = {name: (await service.create_project(name)).id for name in ("Work", "Home")}
    ages: dict[uuid.UUID, datetime] = {}
    chosen: uuid.UUID | None = None
    for title, ago, project, pinned in HISTORY:
        thread = await service.create_thread(title=title, project_id=projects.get(project or ""))
        turn = await service.send(thread.id, title)
        await service.wait_for_answer(turn.answer.id)
        if pinned:
            await service.set_pinned(thread.id, True)
        ages[thread.id] = now - ago
        if chosen is None and ago < timedelta(hours=1):
            chosen = thread.id

    def date_back(session: Any) -> None:
        for thread_id, moment in ages.items():
            session.execute(
                update(Thread).where(Thread.id == thread_id).values(last_activity_at=moment)
            )

    await core.insides.store.write(date_back)
    assert chosen is not None
    return chosen


async def sidebar_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        chosen = await _seed(core, datetime.now().astimezone())
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            async with shown_window(core, 1280, 860) as window:
                await _history(window, chosen)
                _save(window.grab(), out / f"sidebar-{theme}.png")
                await _filtered(window)
                _save(window.grab(), out / f"sidebar-filter-{theme}.png")
    finally:
        await core.aclose()


async def _history(window: MainWindow, chosen: uuid.UUID) -> None:
    sidebar = window.sidebar
    await _until(lambda: sidebar.model.rowCount() > 4 and not sidebar.model.loading)
    work = next(p for p in sidebar.model.projects() if p.name == "Work")
    sidebar.tree.expand(sidebar.model.index_of_project(work.id))
    window.show_thread(chosen)
    await _until(lambda: _formatted(window, 2) and sidebar.selected == chosen)
    await _until(lambda: not sidebar.model.loading)
    await asyncio.sleep(0.3)  # let the rows settle


async def _filtered(window: MainWindow) -> None:
    sidebar = window.sidebar
    sidebar.tree.setFocus()
    QTest.keyClicks(sidebar.tree, "plan")  # typing in the list filters it
    await _until(lambda: sidebar.model.is_flat and not sidebar.model.loading)
    await _until(lambda: sidebar.caption.isVisible())
    QTest.keyClick(sidebar.filter, Qt.Key.Key_Down)  # into the matches
    await asyncio.sleep(0.3)


if __name__ == "__main__":
    from tests.ui.screens import run_alone

    sys.exit(run_alone(sidebar_screens))
