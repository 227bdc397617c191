"""Screenshots of Preferences ▸ Memory: six memories of every kind (typed here, kept from a
chat, proposed by the model, imported; for everyone, an assistant, a project; one off, one
always given, some used), a project's chats switched off; a memory being edited after a
refusal; and the page before anything is remembered. Light and dark. Run through
tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_memory_page [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.memory.model import Origin
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _grab_dialog, _until, run_alone

IMPORTED = {
    "format": "chatdesk-memories",
    "version": 1,
    "memories": [{"text": "My cat is called Miso; she is twelve.", "always": False}],
}


async def memory_page_screens(app: QApplication, out: Path) -> None:
    from chatdesk.ui.runner import Runner

    for seeded in (True, False):
        home = out / f".memory-{'kept' if seeded else 'empty'}"
        shutil.rmtree(home, ignore_errors=True)
        core = _core(CHATDESK_HOME=str(home))
        runner = Runner()
        try:
            await core.start()
            if seeded:
                await _seed(core, home)
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _shoot(core, runner, out, theme, seeded)
        finally:
            await runner.aclose()
            await core.aclose()


async def _seed(core: Core, home: Path) -> None:
    service = core.service
    memory = service.memory
    assert memory is not None
    coder = await service.assistants.create(AssistantFields(name="Coder", icon="⌘"))
    thesis = await service.create_project("Thesis")
    await service.create_project("Garden")
    turn = await service.send_new("Which database for a desktop app?")
    answer = await service.wait_for_answer(turn.answer.id)
    await memory.add("I write in British English and prefer short answers.", always=True)
    await memory.add(
        "I use Python 3.12 with type hints everywhere; suggest pytest, not unittest.",
        assistant_id=coder.id,
        origin=Origin.CHAT,
        thread_id=answer.thread_id,
        message_id=turn.user_message.id if turn.user_message else None,
    )
    await memory.add(
        "The desktop app stores its data in SQLite, one file per user.",
        origin=Origin.MODEL,
        thread_id=answer.thread_id,
        message_id=answer.id,
    )
    await memory.add(
        "My thesis is on river flood forecasting; my supervisor is Dr. Okafor.",
        project_id=thesis.id,
    )
    off = await memory.add("I am vegetarian.")
    await memory.set_enabled(off.id, False)
    exported = home / "memories.json"
    exported.write_text(json.dumps(IMPORTED))
    await memory.import_file(exported)
    asked = await service.send_new("Where does the desktop app store its data?")  # used now
    await service.wait_for_answer(asked.answer.id)
    projects = await service.list_projects()
    await memory.switch_project(next(p.id for p in projects if p.name == "Garden"), False)


async def _shoot(core: Core, runner: object, out: Path, theme: str, seeded: bool) -> None:
    from chatdesk.ui.preferences import PreferencesDialog
    from chatdesk.ui.settings.memory_calls import memory_names

    service = core.service
    dialog = PreferencesDialog(
        core.config.settings,
        runner=runner,  # type: ignore[arg-type]
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
        memory=service.memory,
        named=lambda: memory_names(service),
        open_chat=lambda thread, message: None,
    )
    page = dialog.memory
    dialog.tabs.setCurrentWidget(page)
    await _until(lambda: page.count.text() != "")
    name = "preferences-memory" if seeded else "preferences-memory-empty"
    await _grab_dialog(dialog, out / f"{name}-{theme}.png")
    if seeded:
        page.table.setCurrentIndex(page.model.index(1, 0))
        page.open_edit()
        page.editor.text.setPlainText("")
        page.editor.save.click()
        await _until(lambda: page.editor.problem.isVisible())
        await _grab_dialog(dialog, out / f"preferences-memory-editing-{theme}.png")
    dialog.close()
    dialog.deleteLater()


def run() -> int:
    return run_alone(memory_page_screens)


if __name__ == "__main__":
    sys.exit(run())
