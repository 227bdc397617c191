"""The README's screenshots: the window in the light and the dark theme and in Arabic (laid out
right to left), a few threads answered by the mock model, the pointer over the last answer (its
actions shown).

    .venv/bin/python packaging/readme_screenshot.py [FOLDER] [--languages de,fr,...]

writes window-light.png, window-dark.png and window-ar.png to FOLDER (default: docs/images/);
with --languages, also window-LANG.png and preferences-LANG.png for each language named, to
look at a translation's words in place (clipped or overflowing text).

Runs offscreen on a throwaway chatdesk home. Every answer on screen is the built-in mock
model's, as anyone gets it without a key.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication, QWidget

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.ui import language
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_singleton_refcounts
from chatdesk.ui.theme import apply_theme

WIDTH, HEIGHT = 1280, 860
# Asked in this order (the sidebar lists the newest first). The last one is shown: the mock's
# answer to it (an example asked for) has a table, a formula, Python code and a quote.
QUESTIONS = (
    "Plan a small weekend project",
    "What is a good name for a cat?",
    "How should a desktop app cache API responses?",
    "Write SQL for the busiest threads of the last 7 days",
    "How do I debounce a search box in JavaScript?",
    "Summarise the trade-offs of SQLite's WAL mode",
    "Show me example code for Fibonacci numbers in Python",
)


def make_core() -> Core:
    """A core on the throwaway home, with the mock answering at once and without faults."""
    for name in ("FAULT", "REASONING"):
        os.environ.pop(f"CHATDESK_MOCK_{name}", None)
    os.environ["CHATDESK_MOCK_TOKENS_PER_SECOND"] = "0"
    return build_core(configure())


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let the window work until `condition` holds."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the window did not get there in time")


def formatted(window: MainWindow, count: int) -> bool:
    widgets = window.view.widgets
    return len(widgets) >= count and all(w.rendered is not None for w in widgets)


async def seed(core: Core) -> object:
    """Projects, a pinned thread and the answered questions; the last question's thread."""
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
    for question in QUESTIONS:
        turn = await service.send_new(question)
        await service.wait_for_answer(turn.answer.id)
    return turn.answer.thread_id


async def shoot(app: QApplication, folder: Path, languages: list[str]) -> None:
    core = make_core()
    shots = [
        ("en", "light", "window-light"),
        ("en", "dark", "window-dark"),
        ("ar", "light", "window-ar"),
    ]
    shots += [(code, "light", f"window-{code}") for code in languages if code != "ar"]
    try:
        await core.start()
        thread_id = await seed(core)
        for code, theme, name in shots:
            language.start(app, code)
            preferences = folder / f"preferences-{code}.png" if code in languages else None
            await _shoot_window(app, core, thread_id, theme, folder / f"{name}.png", preferences)
    finally:
        language.start(app, "en")
        await core.aclose()


async def _shoot_window(
    app: QApplication,
    core: Core,
    thread_id: object,
    theme: str,
    out: Path,
    preferences: Path | None,
) -> None:
    apply_theme(app, theme)
    window = MainWindow(core.service)
    window.resize(WIDTH, HEIGHT)
    window.show()
    window.start()
    try:
        await until(lambda: window.sidebar.model.rowCount() > 0)
        window.show_thread(thread_id)  # type: ignore[arg-type]
        await until(lambda: formatted(window, 2))
        await asyncio.sleep(2.0)  # formulas (matplotlib loads on first use) and layout
        window.view.widgets[-1].footer.set_hovered(True)  # as the pointer over the answer
        await asyncio.sleep(0.1)
        _save(window, out)
        if preferences is not None:
            window.settings.open_preferences()
            dialog = window.settings.dialog
            assert dialog is not None
            await asyncio.sleep(0.3)
            _save(dialog, preferences)
            dialog.reject()
    finally:
        window.close()
        await window.aclose()


def _save(widget: QWidget, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out)):
        raise SystemExit(f"cannot write {out}")
    print(out)


def main() -> int:
    args = sys.argv[1:]
    languages: list[str] = []
    if "--languages" in args:
        at = args.index("--languages")
        languages = [code for code in args[at + 1].split(",") if code]
        del args[at : at + 2]
    default = Path(__file__).resolve().parent.parent / "docs" / "images"
    out = Path(args[0]) if args else default
    with tempfile.TemporaryDirectory(prefix="chatdesk-screenshot-") as home:
        os.environ["CHATDESK_HOME"] = home
        protect_singleton_refcounts()  # as the app does (qt_workarounds.py)
        app = QApplication(sys.argv[:1])
        app.setApplicationName("chatdesk")
        app.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop
        qasync.run(shoot(app, out.absolute(), languages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
