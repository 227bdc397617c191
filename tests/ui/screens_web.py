"""Screenshots of an answer that read the web: the search's card folded out (the query, then
the results as a list), the two pages read as cards, the answer's [1] and [2] and its sources
(title, site, address, when read); the viewer of what was read of a page; a search the engine
refused (429) and one still running. Light and dark. Run through tests/ui/screens.py, or
alone (CHATDESK_UI_LANGUAGE=ar for right to left):

    .venv/bin/python -m tests.ui.screens_web [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.chat import repository as repo
from chatdesk.core.store.models import PartKind, Role, Status
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _NOW, _core, _shoot, _still, _until, run_alone
from tests.ui.screens_web_switch import _online

QUESTION = "What was decided about the footbridge over the Lenne?"
PAGES = (  # url, title, site, text
    (
        "https://www.lenne-courier.example/news/2026/11/footbridge-approved",
        "Council approves the Lenne footbridge",
        "Lenne Courier",
        "# Council approves the Lenne footbridge\n\nThe council voted on Tuesday to build a "
        "footbridge over the Lenne by 2027. The bridge will link the old town with the "
        "station quarter.\n\nThe cost is put at 4.2 million euros, shared between the town and "
        "the state.\n\nNeighbours who spoke at the meeting in the town hall asked for lighting "
        "and a ramp for bicycles; both are in the plan.",
    ),
    (
        "https://www.westfalen-radio.example/region/footbridge-what-happens-next",
        "Footbridge: what happens next",
        "Westfalen Radio",
        "# Footbridge: what happens next\n\nConstruction is planned to begin next spring. "
        "The ferry keeps running until the bridge opens.\n\nThe state's share of the cost was "
        "confirmed last week.",
    ),
)
RESULTS = [
    (title, url, snippet)
    for (url, title, _, _), snippet in zip(
        PAGES,
        (
            "The council voted on Tuesday to build a footbridge over the Lenne by 2027 …",
            "Construction is planned to begin next spring; the ferry keeps running …",
        ),
        strict=True,
    )
] + [
    (
        "Lenne footbridge – Wikipedia",
        "https://en.wikipedia.example/wiki/Lenne_footbridge",
        "A planned pedestrian and cycle bridge over the Lenne …",
    ),
]
ANSWER = (
    "The council voted on Tuesday to build the footbridge over the Lenne; it should open in "
    "2027 [1]. Construction begins next spring, and the ferry keeps running until then [2].\n\n"
    "The cost is put at 4.2 million euros, shared between the town and the state [1][2]."
)
LIMITED = "SearXNG is limiting how often chatdesk may search; try again in 30 s."


def _call(call_id: str, tool: str, arguments: dict[str, Any], state: str) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "name": f"web__{tool}",
        "server": "web",
        "tool": tool,
        "arguments": json.dumps(arguments),
        "state": state,
        "approval": "allowed",
        "round": 1 if tool == "web_search" else 2,
        "offset": 0,
        "duration_ms": 900,
    }


def _read_parts() -> list[tuple[PartKind, str | None, dict[str, Any]]]:
    """The search, the two reads and the two pages as sources, as an answer stores them."""
    found = {
        "query": "footbridge Lenne council decision",
        "engine": "searxng",
        "results": [
            {"rank": n, "title": t, "url": u, "snippet": s}
            for n, (t, u, s) in enumerate(RESULTS, start=1)
        ],
    }
    result = json.dumps(found, ensure_ascii=False, indent=1)
    parts: list[tuple[PartKind, str | None, dict[str, Any]]] = [
        (PartKind.TOOL_CALL, None, _call("s", "web_search", {"query": found["query"]}, "done")),
        (PartKind.TOOL_RESULT, result, {"call_id": "s", "is_error": False, "size": len(result)}),
    ]
    for number, (url, title, site, text) in enumerate(PAGES, start=1):
        read_at = (_NOW + timedelta(seconds=number)).isoformat(timespec="seconds")
        shown = f"[{number}] {title}\n{url}\n{site} · read {read_at}\n\n{text}"
        call_id = f"r{number}"
        parts += [
            (PartKind.TOOL_CALL, None, _call(call_id, "read_page", {"url": url}, "done")),
            (PartKind.TOOL_RESULT, shown, {"call_id": call_id, "is_error": False, "size": 1}),
        ]
        source = {
            "number": number,
            "url": url,
            "path": url,
            "asked": url,
            "title": title,
            "location": site,
            "read_at": read_at,
            "call_id": call_id,
        }
        parts.append((PartKind.SOURCE, text, source))
    return parts


def _failed_parts(state: str) -> list[tuple[PartKind, str | None, dict[str, Any]]]:
    query = {"query": "Lenne ferry timetable winter"}
    parts: list[tuple[PartKind, str | None, dict[str, Any]]] = [
        (PartKind.TOOL_CALL, None, _call(state, "web_search", query, state))
    ]
    if state == "failed":
        said = {"call_id": state, "is_error": True, "size": len(LIMITED)}
        parts.append((PartKind.TOOL_RESULT, LIMITED, said))
    return parts


def seed_web(core: Core) -> tuple[object, object]:
    """A chat whose answer read two pages, and one whose search failed then another runs."""

    def seed(session: Any) -> tuple[object, object]:
        made = []
        for title, turns in (
            ("Lenne footbridge", [(QUESTION, ANSWER, _read_parts(), Status.COMPLETE)]),
            (
                "Ferry timetable",
                [
                    (
                        "When does the ferry run in winter?",
                        f"I could not search the web: {LIMITED}",
                        _failed_parts("failed"),
                        Status.COMPLETE,
                    ),
                    ("Try again, please", "", _failed_parts("running"), Status.STREAMING),
                ],
            ),
        ):
            row = repo.new_thread(session, _NOW, None, title)
            row.tools = ["web"]
            session.flush()
            previous = None
            for question, text, parts, status in turns:
                user = repo.insert_message(
                    session, _NOW, row, previous, Role.USER, Status.COMPLETE, question
                )
                previous = repo.insert_message(
                    session,
                    _NOW,
                    row,
                    user,
                    Role.ASSISTANT,
                    status,
                    text,
                    provider="mock",
                    model="mock-1",
                )
                previous.tool_time_ms = 2_700  # it made calls
                repo.add_parts(session, previous.id, parts)
            repo.set_active_leaf(session, row, previous.id if previous else None)
            made.append(row.id)
        return made[0], made[1]

    return core.insides.store.write_now(seed)


async def web_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        read, failed = seed_web(core)

        async def answer(window: MainWindow) -> None:
            await _show(window, read, 2)
            shown = window.view.widgets[1]
            await _until(lambda: shown.rendered is not None and shown.tool_calls is not None)
            assert shown.tool_calls is not None
            next(iter(shown.tool_calls.cards.values()))._fold.setChecked(True)
            await asyncio.sleep(0.2)
            window.view.verticalScrollBar().setValue(0)

        await _shoot(app, core, out, "web-answer", answer)

        async def sources(window: MainWindow) -> None:
            await _show(window, read, 2)
            await _until(lambda: window.view.widgets[1].rendered is not None)
            window.view.jump_to_latest()

        await _shoot(app, core, out, "web-sources", sources)

        async def refused(window: MainWindow) -> None:
            await _show(window, failed, 4)
            await _until(lambda: all(w.tool_calls is not None for w in window.view.widgets[1::2]))

        await _shoot(app, core, out, "web-failed", refused)
        await _shoot_viewer(app, core, out, read)
    finally:
        await core.aclose()


async def _show(window: MainWindow, thread_id: object, messages: int) -> None:
    """The chat shown with its Web switch on, the engine found whatever this machine's network:
    the composer shows no "No network" line under an answer that read the web."""
    window.models.web.resolver = _online
    window.show_thread(thread_id)
    await _until(lambda: len(window.view.widgets) == messages)
    await _until(lambda: window.composer.web.on and not window.models.web.checking)


async def _shoot_viewer(app: QApplication, core: Core, out: Path, thread_id: object) -> None:
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        window = MainWindow(core.service)
        window.resize(1280, 860)
        window.show()
        window.start()
        try:
            window.show_thread(thread_id)
            await _until(lambda w=window: len(w.view.widgets) == 2)
            answer = window.view.widgets[-1]
            await _until(lambda a=answer: a.rendered is not None)
            viewer = window.actions_.passages.open(answer.message.sources[0])
            await _until(_still(viewer))
            path = out / f"web-viewer-{theme}.png"
            viewer.grab().save(str(path))
            print(path)
            viewer.close()
        finally:
            window.close()
            await window.aclose()
            window.deleteLater()


def run() -> int:
    return run_alone(web_screens)


if __name__ == "__main__":
    sys.exit(run())
