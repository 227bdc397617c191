"""Save screenshots of every screen of the main window, in the light and the dark theme.

    .venv/bin/python tests/ui/screens.py [OUTPUT_DIR]     (default: screenshots/)

In another language: CHATDESK_UI_LANGUAGE=de (or fr, es, ja, zh_CN, ar) in the environment.

Runs offscreen on a throwaway database: projects, pinned and recent threads, a long thread with
mixed content (tables, code, math, lists, quotes, links, a remote image), a streaming answer,
a failed answer and the empty state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.chat import repository as repo
from chatdesk.core.store.models import Role, Status
from chatdesk.core.tools.model import Policy
from chatdesk.ui import language
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_singleton_refcounts
from chatdesk.ui.runner import Runner
from chatdesk.ui.theme import apply_theme

SHOWCASE = r"""Here is a compact overview of **SQLite**, **PostgreSQL** and **DuckDB**.

| Engine | Best at | Runs as |
|---|---|---|
| SQLite | local apps, files | a library |
| PostgreSQL | shared data, many writers | a server |
| DuckDB | analytics | a library |
| LMDB | key–value reads | a library |

Things to check before choosing:

- [x] how many processes write at once
- [x] whether the data must leave the machine
- [ ] ~~the logo~~ the licence
  - SQLite: public domain
  - PostgreSQL: a permissive licence

> A database is chosen for its failure modes, not its features.
>
> > Said of every database, sooner or later.

The cost of an index lookup grows like $O(\log n)$, and for a B-tree of order $b$ the height is

$$h \le \log_{b} \frac{n + 1}{2}$$

```python
import sqlite3

with sqlite3.connect("chat.db") as db:
    db.execute("PRAGMA journal_mode=WAL")
    rows = db.execute("SELECT id, title FROM threads ORDER BY last_activity_at DESC LIMIT 50")
    for thread_id, title in rows:
        print(thread_id, title)
```

Read more in the [SQLite documentation](https://sqlite.org/docs.html). The diagram below comes
from a remote site, so it is not loaded until you ask: ![WAL diagram](https://example.com/wal.png)
"""

REASONING_ENV = {"CHATDESK_MOCK_REASONING": "true"}
_NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


async def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the window did not get there in time")


def _still(top: QWidget, runner: Runner | None = None) -> Callable[[], bool]:
    """A condition for `_until`: true once `top` is laid out and holds still — its posted
    layout requests done, nothing in it moved, resized, came or went since the last look —
    and `runner` (if given) has no call in flight whose answer would change it."""
    last: list[object] = [None]

    def look() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        now = [(w.geometry().getRect(), w.isVisible()) for w in top.findChildren(QWidget)]
        held, last[0] = now == last[0], now
        return held and (runner is None or not runner._tasks)

    return look


def _core(**env: str) -> Core:
    for name in ("FAULT", "REASONING"):
        os.environ.pop(f"CHATDESK_MOCK_{name}", None)
    os.environ["CHATDESK_MOCK_TOKENS_PER_SECOND"] = "0"
    os.environ.update(env)
    return build_core(configure())


async def _seed(core: Core) -> object:
    service = core.service
    work = await service.create_project("Work", system_prompt="Be brief.")
    home = await service.create_project("Home")
    for title, project in (
        ("Quarterly report outline", work.id),
        ("Hiring plan", work.id),
        ("Garden watering schedule", home.id),
    ):
        await service.create_thread(title=title, project_id=project)
    pinned = await service.create_thread(title="Reading list")
    await service.set_pinned(pinned.id, True)
    for prompt in ("Plan a small weekend project", "What is a good name for a cat?"):
        turn = await service.send_new(prompt)
        await service.wait_for_answer(turn.answer.id)
    thread = await service.create_thread(title="Which database for a desktop app?")
    turn = await service.send(thread.id, "Compare SQLite, PostgreSQL and DuckDB for me")
    await service.wait_for_answer(turn.answer.id)

    def showcase(session: object) -> None:
        row = repo.thread_row(session, thread.id)  # type: ignore[arg-type]
        user = repo.insert_message(
            session,  # type: ignore[arg-type]
            row.last_activity_at,
            row,
            repo.message_row(session, turn.answer.id),  # type: ignore[arg-type]
            Role.USER,
            Status.COMPLETE,
            "Give me the short version, with a table and some code",
        )
        answer = repo.insert_message(
            session,  # type: ignore[arg-type]
            row.last_activity_at,
            row,
            user,
            Role.ASSISTANT,
            Status.COMPLETE,
            SHOWCASE,
            provider="mock",
            model="mock-1",
        )
        repo.set_active_leaf(session, row, answer.id)  # type: ignore[arg-type]

    core.insides.store.write_now(showcase)
    return thread.id


@contextlib.asynccontextmanager
async def shown_window(core: Core, width: int, height: int) -> AsyncIterator[MainWindow]:
    """A main window over `core`'s service, shown at `width`×`height`, closed after."""
    window = MainWindow(core.service)
    window.resize(width, height)
    window.show()
    window.start()
    try:
        yield window
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


async def _shoot(
    app: QApplication,
    core: Core,
    out: Path,
    name: str,
    setup: object,
    themes: tuple[str, ...] = ("light", "dark"),
    size: tuple[int, int] = (1280, 860),
) -> None:
    for theme in themes:
        apply_theme(app, theme)
        window = MainWindow(core.service)
        window.resize(*size)
        window.show()
        window.start()
        try:
            await setup(window)  # type: ignore[operator]
            await _until(_still(window))
            path = out / f"{name}-{theme}.png"
            window.grab().save(str(path))
            print(path)
        finally:
            window.close()
            await window.aclose()
            window.deleteLater()


async def _shoot_opening(app: QApplication, out: Path, kept: list[object]) -> None:
    """The window before its core is open, showing the rows the last run kept."""
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        window = MainWindow()
        window.resize(1280, 860)
        window.panes.read_kept(lambda: kept)  # type: ignore[arg-type,return-value]
        window.show()
        window.start()
        await asyncio.sleep(0.3)
        path = out / f"opening-{theme}.png"
        window.grab().save(str(path))
        print(path)
        window.close()
        window.deleteLater()


def seed_answered(core: Core, thread_id: Any, question: str, answer: str) -> None:
    """`thread_id` holds `question` and mock-1's finished `answer` to it."""

    def write(session: Any) -> None:
        row = repo.thread_row(session, thread_id)
        now, complete, assistant = row.created_at, Status.COMPLETE, Role.ASSISTANT
        asked = repo.insert_message(session, now, row, None, Role.USER, complete, question)
        given = repo.insert_message(
            session, now, row, asked, assistant, complete, answer, model="mock-1"
        )
        repo.set_active_leaf(session, row, given.id)

    core.insides.store.write_now(write)


def _formatted(window: MainWindow, count: int) -> bool:
    widgets = window.view.widgets
    return len(widgets) >= count and all(w.rendered is not None for w in widgets)


async def main(app: QApplication, out: Path) -> int:
    core = _core()
    try:
        await core.start()
        showcase = await _seed(core)

        kept: list[object] = []

        async def empty(window: MainWindow) -> None:
            await _until(lambda: window.sidebar.model.rowCount() > 0)
            await _until(lambda: not window.sidebar.model.loading)
            kept[:] = window.sidebar.kept_rows() or []

        async def thread(window: MainWindow) -> None:
            window.show_thread(showcase)
            await _until(lambda: _formatted(window, 4))
            window.view.jump_to_latest()

        async def hovered(window: MainWindow) -> None:
            """The first answer under the mouse: its actions and figures show (the last
            answer's always do; the question's wait for the mouse)."""
            from PySide6.QtCore import QPoint
            from PySide6.QtTest import QTest

            await thread(window)
            window.view.verticalScrollBar().setValue(0)
            await _until(_still(window))
            answer = window.view.widgets[1]
            QTest.mouseMove(window.composer.editor)  # from elsewhere: the mouse may be there
            QTest.mouseMove(answer.body, QPoint(answer.body.width() // 2, 12))
            await _until(lambda: answer.footer.revealed)

        async def find(window: MainWindow) -> None:
            await thread(window)
            window.find_bar.field.setText("SQLite")
            window.find_bar.open_bar()

        await _shoot(app, core, out, "empty", empty)
        await _shoot_opening(app, out, kept)
        await _shoot(app, core, out, "thread", thread, ("light", "dark", "high-contrast"))
        await _shoot(app, core, out, "answer-hovered", hovered)
        await _shoot(app, core, out, "find", find)
        await _shoot_search(app, core, out, thread)
    finally:
        await core.aclose()
    for name, env in (
        ("streaming", {"CHATDESK_MOCK_TOKENS_PER_SECOND": "12", **REASONING_ENV}),
        ("error", {"CHATDESK_MOCK_FAULT": "error_after:40"}),
        ("too-long", {"CHATDESK_MOCK_FAULT": "too_long:0"}),
    ):
        core = _core(**env)
        try:
            await core.start()
            await _shoot(app, core, out, name, _sender(core, name))
        finally:
            await core.aclose()
    return 0


async def _shoot_search(
    app: QApplication, core: Core, out: Path, thread: Callable[[MainWindow], Awaitable[None]]
) -> None:
    """The search palette (Ctrl+K) over the thread, found messages listed under the chats."""
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        window = MainWindow(core.service, search=core.search)
        window.resize(1280, 860)
        window.show()
        window.start()
        try:
            await thread(window)
            path = out / f"search-{theme}.png"
            (await _searched(window, "database")).save(str(path))
            print(path)
        finally:
            window.close()
            await window.aclose()
            window.deleteLater()


async def _searched(window: MainWindow, text: str) -> QPixmap:
    from tests.ui.screens_compare import _centred, _draw

    window.open_search()
    palette = window.on_demand.palette
    assert palette is not None
    palette.query.setText(text)
    palette.search_now()
    await _until(lambda: not palette.searching)
    await asyncio.sleep(0.3)  # let the rows settle
    shot = window.grab()
    _draw(shot, palette, _centred(window, palette))
    palette.close()
    return shot


def _sender(core: Core, name: str) -> object:
    async def send(window: MainWindow) -> None:
        await _until(lambda: window.sidebar.model.rowCount() > 0)
        turn = await core.service.send_new(f"Explain how a hash table works ({name})")
        window.show_thread(turn.answer.thread_id)
        if name == "streaming":
            await _until(lambda: len(window.conversation.messages()) == 2)
            await _until(lambda: len(window.conversation.messages()[-1].content) > 180)
            window.view.widgets[-1]._thinking.setChecked(True)
        else:
            await core.service.wait_for_answer(turn.answer.id)
            await _until(lambda: _formatted(window, 2))
        window.composer.set_text("A draft that is not sent yet")

    return send


# -- summaries and the context gauge -------------------------------------------------------------

SUMMARY_QUESTIONS = (
    "What is a binary heap?",
    "How does a stack differ from a queue?",
    "When would I use a deque?",
    "Which of them does Python's heapq give me?",
)


async def summary_screens(app: QApplication, out: Path) -> None:
    """A thread whose earlier messages are summarised (the divider unfolded), and the gauge's
    breakdown on hover with a draft that fills the context past 80 %, in light and dark."""
    core = _core(CHATDESK_CHAT_SUMMARY_THRESHOLD="0")
    try:
        await core.start()
        service = core.service
        thread = await service.create_thread(title="Heaps, stacks and queues")
        for question in SUMMARY_QUESTIONS:
            turn = await service.send(thread.id, question)
            await service.wait_for_answer(turn.answer.id)
        await service.summarize_now(thread.id)
        await service.set_thread_context_window(thread.id, 2_048)
        draft = await _draft_filling(service, thread.id, 0.86)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            await _shoot_summary(core, thread.id, draft, out, theme)
    finally:
        await core.aclose()


async def _draft_filling(service: object, thread_id: object, share: float) -> str:
    words = "Could you compare them in a table, with the cost of each operation? "
    draft = words
    while (await service.context_usage(thread_id, draft)).fraction < share:  # type: ignore[attr-defined]
        draft += words
    return draft


async def _shoot_summary(core: Core, thread_id: object, draft: str, out: Path, theme: str) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QToolTip

    window = MainWindow(core.service)
    window.resize(1280, 860)
    window.show()
    window.start()
    try:
        await _until(lambda: window.sidebar.model.rowCount() > 0)
        window.show_thread(thread_id)
        divider = window.view.divider
        await _until(lambda: divider.isVisible() and _formatted(window, 4))
        divider.view_button.setChecked(True)
        await asyncio.sleep(0.3)
        window.view.ensureWidgetVisible(divider, 0, 40)
        await asyncio.sleep(0.3)
        window.grab().save(str(out / f"summary-{theme}.png"))
        print(out / f"summary-{theme}.png")
        for name, button in (("edit", divider.edit_button), ("delete", divider.delete_button)):
            button.click()
            dialog = window.summaries.dialog
            assert dialog is not None
            await _grab_dialog(dialog, out / f"summary-{name}-{theme}.png")
            dialog.close()

        gauge = window.header.gauge
        window.composer.editor.insertPlainText(draft)
        await _until(lambda: gauge.property("level") == "warn")
        QToolTip.showText(gauge.mapToGlobal(QPoint(0, gauge.height())), gauge.toolTip(), gauge)
        await asyncio.sleep(0.3)
        # The offscreen screen is smaller than the window: the tip is drawn where a desktop
        # puts it, below the gauge and inside the window.
        shot = window.grab()
        tip = next(w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel"))
        below = gauge.mapTo(window, QPoint(gauge.width(), gauge.height() + 4))
        painter = QPainter(shot)
        painter.drawPixmap(QPoint(below.x() - tip.width(), below.y()), tip.grab())
        painter.end()
        QToolTip.hideText()
        shot.save(str(out / f"gauge-hover-{theme}.png"))
        print(out / f"gauge-hover-{theme}.png")
        await _shoot_breakdown(window, out / f"gauge-open-{theme}.png")
        window.composer.editor.clear()  # not kept as the thread's draft for the next theme
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


async def _shoot_breakdown(window: MainWindow, path: Path) -> None:
    """The gauge's breakdown opened on demand (a click on the ring, or Space on it), drawn
    where it opens, under the ring, as the offscreen screen is smaller than the window."""
    from PySide6.QtCore import QPoint

    from tests.ui.screens_compare import _draw

    gauge = window.header.gauge
    gauge.setFocus()
    gauge.click()
    card = gauge.card
    assert card is not None
    await _until(card.isVisible)
    await asyncio.sleep(0.3)
    shot = window.grab()
    below = gauge.mapTo(window, QPoint(0, gauge.height() + 4))
    left = below.x() if gauge.isRightToLeft() else below.x() + gauge.width() - card.width()
    _draw(shot, card, QPoint(left, below.y()))
    card.close()
    shot.save(str(path))
    print(path)


# -- the preferences dialog ----------------------------------------------------------------------


async def settings_screens(app: QApplication, out: Path) -> None:
    """Every tab of the preferences dialog and the profile editor, in light and dark, with
    profiles and usage from a local OpenAI-compatible test server."""
    import keyring

    from chatdesk.ui.runner import Runner
    from tests.core.sse_server import FakeOpenAI
    from tests.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # never the real keyring of whoever runs this
    server = FakeOpenAI(("llama3.2", "qwen2.5-coder:7b")).start()
    core = _core()
    runner = Runner()
    try:
        await core.start()
        await _seed_settings(core, server.url)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            await _shoot_preferences(core, runner, out, theme)
    finally:
        await runner.aclose()
        await core.aclose()
        server.close()


async def _seed_settings(core: Core, server_url: str) -> None:
    """Two profiles, answers from a priced one and from the mock provider, one backup."""
    from chatdesk.core.providers.profiles import PRESETS, ProviderProfile

    priced = ProviderProfile(
        "gpu-box",
        server_url,
        default_model="llama3.2",
        input_price_per_million=0.2,
        output_price_per_million=0.6,
        monthly_cap_usd=5.0,
    )
    await core.profiles.save(priced)
    await core.profiles.save(PRESETS["openai"], key="sk-screens-only")
    for provider, model in (("gpu-box", "llama3.2"), ("mock", "mock-1")):
        thread = await core.service.create_thread(provider=provider, model=model)
        turn = await core.service.send(thread.id, "hello")
        await core.service.wait_for_answer(turn.answer.id)
    await core.backups.back_up_now()


PREFERENCE_PAGES = ("appearance", "chat", "providers", "data", "usage", "team")


async def _shoot_preferences(core: Core, runner: object, out: Path, theme: str) -> None:
    from chatdesk.ui.preferences import PreferencesDialog

    for name in PREFERENCE_PAGES:
        dialog = PreferencesDialog(
            core.config.settings,
            runner=runner,  # type: ignore[arg-type]
            providers=core.profiles,
            backups=core.backups,
            data_folder=core.config.paths.data_dir,
            usage=core.service.usage_by_month,
            spending=core.service.spending.overview,
            models=core.service.known_models,
            team=core.team,
        )
        dialog.tabs.setCurrentWidget(getattr(dialog, name))  # named in English in any language
        await _grab_dialog(dialog, out / f"preferences-{name}-{theme}.png", runner)  # type: ignore[arg-type]
        if name == "providers":
            await _shoot_editors(dialog, out, theme)
        if name == "appearance":  # the list left by a search, its first hit focused
            dialog.tabs.search.setText("theme")
            dialog.tabs.focus_first_hit()
            await _grab_dialog(dialog, out / f"preferences-search-{theme}.png", runner)  # type: ignore[arg-type]
        dialog.close()
        dialog.deleteLater()


async def _shoot_editors(dialog: object, out: Path, theme: str) -> None:
    """The profile editor: a new profile from a preset, a saved one after a successful
    connection test, and a blank one with problems explained in place."""
    from chatdesk.ui.settings.notices import Tone
    from chatdesk.ui.settings.profile_editor import ProfileEditor
    from chatdesk.ui.settings.providers_page import ProvidersPage

    page = dialog.providers  # type: ignore[attr-defined]
    assert isinstance(page, ProvidersPage)

    async def editor_for(open_it: Callable[[], None]) -> ProfileEditor:
        open_it()
        [editor] = [e for e in page.findChildren(ProfileEditor) if e.isVisible()]
        return editor

    editor = await editor_for(page.add_profile)
    await _grab_dialog(editor, out / f"preferences-profile-new-{theme}.png")
    editor.close()
    editor.deleteLater()
    page.select("gpu-box")
    editor = await editor_for(page.edit_current)
    editor.test.click()
    await _until(lambda: editor.test_result.tone is Tone.SUCCESS)  # "Connected…"
    await _grab_dialog(editor, out / f"preferences-profile-tested-{theme}.png")
    editor.close()
    editor.deleteLater()
    page.template.setCurrentIndex(page.template.count() - 1)  # Blank
    editor = await editor_for(page.add_profile)
    editor.name.setText("my server")
    editor.url.setText("http://api.example.com/v1")
    editor.fields.prices[0].setText("-1")
    await _grab_dialog(editor, out / f"preferences-profile-problems-{theme}.png")
    editor.close()
    editor.deleteLater()


async def _grab_dialog(dialog: QWidget, path: Path, runner: Runner | None = None) -> None:
    """Show `dialog` and save its picture once `runner`'s reads (its tab's first) are in and
    its layout holds still."""
    dialog.show()
    await _until(_still(dialog, runner))
    dialog.grab().save(str(path))
    print(path, f"{dialog.width()}x{dialog.height()}")


# -- tool calls ------------------------------------------------------------------------------------

TOOL_CALLS = (  # server, tool, arguments, state, approval, result, is_error, ms
    (
        "chatdesk",
        "search_chats",
        {"query": "hash tables"},
        "done",
        "allowed",
        '{"query": "hash tables", "messages": [{"chat": "Which database…", "snippet": "…a hash '
        'table keeps…"}]}',
        False,
        38,
    ),
    (
        "files",
        "read_file",
        {"path": "~/notes/hashing.md"},
        "done",
        "approved",
        "# Hashing\n\nOpen addressing keeps every entry in one array; chaining keeps a list per "
        "bucket.",
        False,
        112,
    ),
    (
        "browser",
        "fetch",
        {"url": "https://example.com/big"},
        "failed",
        "always",
        "browser › fetch did not answer within 60 seconds.",
        True,
        60_000,
    ),
    (
        "files",
        "delete_file",
        {"path": "~/notes/hashing.md"},
        "not_run",
        "denied",
        "Not run: the user denied this call. Answer without it, or ask the user.",
        True,
        None,
    ),
    (
        "files",
        "write_file",
        {"path": "~/notes/summary.md", "text": "…"},
        "not_finished",
        "approved",
        None,
        False,
        None,
    ),
)
WAITING = (
    ("files", "move_file", {"from": "~/notes/a.md", "to": "~/archive/a.md"}),
    ("files", "move_file", {"from": "~/notes/b.md", "to": "~/archive/b.md"}),
)


def _seed_tool_calls(core: Core) -> object:
    from chatdesk.core.store.models import PartKind

    def parts(calls: tuple[tuple[object, ...], ...]) -> list[tuple[object, object, object]]:
        made: list[tuple[object, object, object]] = []
        for number, (server, tool, arguments, state, approval, result, error, ms) in enumerate(
            calls
        ):
            data = {
                "call_id": f"call_{number}",
                "name": f"{server}__{tool}",
                "server": server,
                "tool": tool,
                "arguments": json.dumps(arguments),
                "state": state,
                "approval": approval,
                "round": 1,
                "offset": 0,
                "duration_ms": ms,
            }
            made.append((PartKind.TOOL_CALL, None, data))
            if result is not None:
                done = {"call_id": f"call_{number}", "is_error": error, "size": len(str(result))}
                made.append((PartKind.TOOL_RESULT, result, done))
        return made

    def seed(session: object) -> object:
        row = repo.new_thread(session, _NOW, None, "Tidy my notes on hashing")  # type: ignore[arg-type]
        row.tools = ["chatdesk", "files", "browser"]
        session.flush()  # type: ignore[attr-defined]
        previous = None
        for question, answer, calls, status in (
            (
                "Find what I wrote about hash tables, then tidy the notes",
                "I found your earlier chat and read the note. Fetching the page timed out, and you "
                "declined the deletion, so the note stays as it is.",
                TOOL_CALLS,
                Status.COMPLETE,
            ),
            (
                "Then move the old notes to the archive",
                "",
                tuple(
                    (server, tool, arguments, "waiting", None, None, False, None)
                    for server, tool, arguments in WAITING
                ),
                Status.STREAMING,
            ),
        ):
            user = repo.insert_message(
                session, _NOW, row, previous, Role.USER, Status.COMPLETE, question
            )  # type: ignore[arg-type]
            reply = repo.insert_message(
                session,
                _NOW,
                row,
                user,
                Role.ASSISTANT,
                status,
                answer,
                provider="mock",
                model="mock-1",
            )  # type: ignore[arg-type]
            reply.tool_time_ms = 60_150
            repo.add_parts(session, reply.id, parts(calls))  # type: ignore[arg-type]
            previous = reply
        repo.set_active_leaf(session, row, previous.id)  # type: ignore[arg-type, union-attr]
        return row.id

    return core.insides.store.write_now(seed)


def _seed_many_calls(core: Core, count: int) -> object:
    """A chat whose answer made `count` calls, most done, a few failed or denied."""
    from sqlalchemy.orm import Session

    from chatdesk.core.store.models import PartKind

    def seed(session: Session) -> object:
        row = repo.new_thread(session, _NOW, None, "Check every link in my notes")
        session.flush()
        user = repo.insert_message(
            session, _NOW, row, None, Role.USER, Status.COMPLETE, "Check every link in my notes"
        )
        reply = repo.insert_message(
            session,
            _NOW,
            row,
            user,
            Role.ASSISTANT,
            Status.COMPLETE,
            "I checked all 24 links: 21 work, 2 pages are gone, and one I did not open.",
            provider="mock",
            model="mock-1",
        )
        reply.tool_time_ms = 9_400
        parts: list[tuple[PartKind, str | None, dict[str, object]]] = []
        for number in range(count):
            state = "failed" if number in (7, 15) else "not_run" if number == 20 else "done"
            data = {
                "call_id": f"c{number}",
                "name": "net__fetch",
                "server": "net",
                "tool": "fetch",
                "arguments": json.dumps({"url": f"https://example.org/page/{number}"}),
                "state": state,
                "approval": "denied" if state == "not_run" else "allowed",
                "round": 1 + number // 6,
                "offset": 0,
                "duration_ms": 200 + 13 * number,
            }
            parts.append((PartKind.TOOL_CALL, None, data))
            result = "404 Not Found" if state == "failed" else "200 OK"
            done = {"call_id": f"c{number}", "is_error": state == "failed", "size": len(result)}
            parts.append((PartKind.TOOL_RESULT, result, done))
        repo.add_parts(session, reply.id, parts)
        repo.set_active_leaf(session, row, reply.id)
        return row.id

    return core.insides.store.write_now(seed)


async def tool_screens(app: QApplication, out: Path) -> None:
    """An answer's tool calls in every state (the first folded out), and a round of two calls
    waiting for approval, in light and dark."""
    core = _core()
    try:
        await core.start()
        thread_id = _seed_tool_calls(core)

        async def tools(window: MainWindow) -> None:
            window.show_thread(thread_id)
            await _until(lambda: len(window.view.widgets) == 4)
            await _until(lambda: window.view.widgets[1].tool_calls is not None)
            calls = window.view.widgets[1].tool_calls
            assert calls is not None
            next(iter(calls.cards.values()))._fold.setChecked(True)
            await asyncio.sleep(0.2)
            window.view.verticalScrollBar().setValue(0)

        await _shoot(app, core, out, "tool-calls", tools)

        async def waiting(window: MainWindow) -> None:
            window.show_thread(thread_id)
            await _until(lambda: len(window.view.widgets) == 4)
            window.view.jump_to_latest()

        await _shoot(app, core, out, "tool-approval", waiting)
        many = _seed_many_calls(core, 24)

        async def folded(window: MainWindow) -> None:
            window.show_thread(many)
            await _until(lambda: len(window.view.widgets) == 2)
            await _until(lambda: window.view.widgets[1].tool_calls is not None)

        await _shoot(app, core, out, "tool-calls-folded", folded)
        await _shoot_tools_preferences(app, core, out)
    finally:
        await core.aclose()


async def _shoot_tools_preferences(app: QApplication, core: Core, out: Path) -> None:
    """Preferences ▸ Tools: a server tested (its tools listed), an imported one not allowed
    to start yet (its command shown)."""
    from chatdesk.core.tools.servers import parse_servers_text
    from chatdesk.ui.preferences import PreferencesDialog
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.sidebar.dialogs import ProjectDialog

    tools = core.service.tools
    here = Path(__file__).parents[1] / "core" / "mcp_server.py"
    entries = {
        "notes": {"command": sys.executable, "args": ["-I", str(here), "stdio"]},
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp-example"},
        },
        "docs": {"type": "streamable-http", "url": "https://mcp.example.com/docs"},
    }
    for server in parse_servers_text(json.dumps({"mcpServers": entries})).servers:
        await tools.add_server(server, replace=True)
    tools.approve_command("notes")
    tools.policies.set("chatdesk", Policy.ALLOW)
    await core.service.create_project("Research", tools=["chatdesk", "notes"])
    runner = Runner()
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        dialog = PreferencesDialog(core.config.settings, runner=runner, tools=tools)
        dialog.tabs.setCurrentWidget(dialog.tools)
        page = dialog.tools
        for choice in ("notes", "github"):
            rows = [page.list.topLevelItem(i) for i in range(page.list.topLevelItemCount())]
            page.list.setCurrentItem(next(r for r in rows if r is not None and r.text(0) == choice))
            if choice == "notes":
                page.test_current()
                await _until(lambda: not page.found.isHidden(), 30)  # noqa: B023
            await _grab_dialog(dialog, out / f"preferences-tools-{choice}-{theme}.png", runner)
        page.open_edit()  # github is chosen: its form, its secret's name and not its value
        assert page.server_form is not None
        await _grab_dialog(page.server_form, out / f"tool-server-edit-{theme}.png", runner)
        page.server_form.reject()
        page.open_add()
        form = page.server_form
        form.name.setText("web search")
        form.kind.setCurrentIndex(form.kind.findData("http"))
        form.url.setText("mcp.example.com")
        form.check_and_accept()  # says what is wrong, keeps what was typed
        await _grab_dialog(form, out / f"tool-server-add-{theme}.png", runner)
        form.reject()
        dialog.close()
        dialog.deleteLater()
        project = (await core.service.list_projects())[0]
        project_dialog = ProjectDialog(
            None, project=project, models=core.service.known_models(), servers=tools.switchable()
        )
        await _grab_dialog(project_dialog, out / f"project-tools-{theme}.png", runner)
        project_dialog.reject()
    await runner.aclose()


@contextlib.contextmanager
def _application() -> Iterator[tuple[QApplication, Path]]:
    """The application the screenshot scripts run in, in a data folder of their own, and the
    folder the pictures go to (the first argument, else `screenshots`)."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["CHATDESK_HOME"] = home
        protect_singleton_refcounts()  # as the app does: a whole gallery is a long session
        app = QApplication(sys.argv[:1])
        app.setApplicationName("chatdesk")
        app.setQuitOnLastWindowClosed(False)
        language.start(app, os.environ.get("CHATDESK_UI_LANGUAGE", "en"))
        yield app, out.resolve()


def run_alone(screens: Callable[[QApplication, Path], Awaitable[None]]) -> int:
    """Run one screenshot script by itself (`python tests/ui/screens_knowledge.py FOLDER`)."""
    with _application() as (app, out):
        qasync.run(screens(app, out))
    return 0


def run() -> int:
    from tests.ui.screens_answers import answer_screens
    from tests.ui.screens_assistants import assistant_page_screens
    from tests.ui.screens_attachments import attachment_screens, tool_image_screens
    from tests.ui.screens_column import column_screens
    from tests.ui.screens_compare import assistant_screens
    from tests.ui.screens_composer import composer_screens
    from tests.ui.screens_connect import connect_screens
    from tests.ui.screens_first_steps import first_step_screens
    from tests.ui.screens_follow import follow_screens
    from tests.ui.screens_formulas import formulas_screens
    from tests.ui.screens_help import help_screens
    from tests.ui.screens_knowledge import knowledge_page_screens
    from tests.ui.screens_left_out import left_out_screens
    from tests.ui.screens_local_api import local_api_screens
    from tests.ui.screens_locale import locale_screens
    from tests.ui.screens_memory import memory_screens
    from tests.ui.screens_memory_page import memory_page_screens
    from tests.ui.screens_new_chat import new_chat_screens
    from tests.ui.screens_outside import outside_screens
    from tests.ui.screens_quick import quick_screens
    from tests.ui.screens_reading import reading_screens
    from tests.ui.screens_research import research_screens
    from tests.ui.screens_settings import settings_window_screens
    from tests.ui.screens_sidebar import sidebar_screens
    from tests.ui.screens_sources import cut_screens, source_screens
    from tests.ui.screens_streaming import streaming_screens
    from tests.ui.screens_temporary import temporary_screens
    from tests.ui.screens_voice import voice_screens
    from tests.ui.screens_web import web_screens
    from tests.ui.screens_web_switch import web_switch_screens

    with _application() as (app, out):
        code: int = qasync.run(main(app, out))
        for more in (
            summary_screens,
            settings_screens,
            tool_screens,
            web_screens,
            attachment_screens,
            tool_image_screens,
            assistant_screens,
            temporary_screens,
            sidebar_screens,
            assistant_page_screens,
            knowledge_page_screens,
            source_screens,
            cut_screens,
            left_out_screens,
            composer_screens,
            help_screens,
            streaming_screens,
            connect_screens,
            new_chat_screens,
            column_screens,
            follow_screens,
            first_step_screens,
            answer_screens,
            reading_screens,
            settings_window_screens,
            locale_screens,
            outside_screens,
            local_api_screens,
            web_switch_screens,
            research_screens,
            memory_screens,
            memory_page_screens,
            quick_screens,
            voice_screens,
            formulas_screens,
        ):
            qasync.run(more(app, out))
        return code


if __name__ == "__main__":
    sys.exit(run())
