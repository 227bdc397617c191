"""Screenshots of answers held halfway through their stream: a table whose rows are arriving and
bold text whose closing stars are still to come; a list whose code block is still open. Drawn
as they will be, light and dark. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_streaming [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.sse_server import FakeOpenAI, Reply, chunk, usage_chunk
from tests.ui.screens import _core, _until, run_alone

HELD = [
    "Here is **the release plan** for Friday, ",
    "with **who does wh",
    "at**:\n\n| Step | Owner | When |\n|---|---|---|\n",
    "| Draft the notes | Ann | Monday |\n| Review | **Bo",
    "b** | Tues",
]
REST = ["day |\n| Ship | Cleo | Friday |\n\nThat is all."]
HELD_CODE = [
    "Two steps:\n\n1. Tag the release with `git t",
    "ag`\n2. Run *the* script:\n\n   ```python\n   for step in plan:\n       run(st",
]
REST_CODE = ["ep)\n   ```\n\nDone."]


def _reply(held: list[str], rest: list[str]) -> Reply:
    events = [chunk(token) for token in held + rest]
    events += [chunk(finish="stop"), usage_chunk(9, len(held) + len(rest))]
    return Reply(events=events, hold_after=len(held))


async def streaming_screens(app: QApplication, out: Path) -> None:
    server = FakeOpenAI(("planner",)).start()
    core = _core()
    try:
        await core.start()
        await core.profiles.save(ProviderProfile("box", server.url, default_model="planner"))
        thread = await core.service.create_thread(title="Release", provider="box", model="planner")
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            for name, held, rest in (("table", HELD, REST), ("code", HELD_CODE, REST_CODE)):
                path = out / f"streaming-{name}-{theme}.png"
                await _shoot_held(core, server, thread.id, (held, rest), path)
    finally:
        server.release.set()
        await core.aclose()
        server.close()


async def _shoot_held(
    core: object,
    server: FakeOpenAI,
    thread_id: object,
    tokens: tuple[list[str], list[str]],
    path: Path,
) -> None:
    server.release.clear()
    server.holding.clear()
    server.replies.append(_reply(*tokens))
    window = MainWindow(core.service)  # type: ignore[attr-defined]
    window.resize(1100, 700)
    window.show()
    window.start()
    try:
        window.show_thread(thread_id)
        turn = await core.service.send(thread_id, "Plan Friday's release")  # type: ignore[attr-defined]
        await _until(lambda: server.holding.is_set())
        await _until(lambda: _tail_formatted(window, "".join(tokens[0])))
        await asyncio.sleep(0.3)  # let layout settle
        window.grab().save(str(path))
        print(path)
        server.release.set()
        await core.service.wait_for_answer(turn.answer.id)  # type: ignore[attr-defined]
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


def _tail_formatted(window: MainWindow, held: str) -> bool:
    """The held answer's whole text (`held`) is on screen, formatted."""
    widgets = window.view.widgets
    if not widgets or widgets[-1].message.status.is_final:
        return False
    answer = widgets[-1]
    shown = answer.formatting.tail_shown
    return answer.message.content == held and shown is not None and held.endswith(shown)


if __name__ == "__main__":
    sys.exit(run_alone(streaming_screens))
