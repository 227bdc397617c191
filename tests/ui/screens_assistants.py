"""Screenshots of Preferences ▸ Assistants: the list of assistants with their badges, the
editor of a built-in one (its prompt, tools and multi-line examples), and a new one refused
with the reason said in the form. Light and dark. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_assistants [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.assistants.builtin import said
from chatdesk.core.tools.servers import parse_servers_text
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _grab_dialog, _until, run_alone


async def assistant_page_screens(app: QApplication, out: Path) -> None:
    from chatdesk.ui.runner import Runner

    core = _core()
    runner = Runner()
    try:
        await core.start()
        await _seed(core)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            await _shoot_page(core, runner, out, theme)
    finally:
        await runner.aclose()
        await core.aclose()


async def _seed(core: Core) -> None:
    tools = core.service.tools
    entries = {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        "docs": {"type": "streamable-http", "url": "https://mcp.example.com/docs"},
    }
    for server in parse_servers_text(json.dumps({"mcpServers": entries})).servers:
        await tools.add_server(server, replace=True)
    assistants = core.service.assistants
    reviewer = await assistants.find("Code reviewer")
    fields = reviewer.fields
    await assistants.update(
        reviewer.id,
        type(fields)(**{**fields.__dict__, "tools": ("chatdesk", "github"), "model": "mock-1"}),
    )
    for name in ("Style guides", "Review checklists"):  # bases it may answer from
        base = await core.service.knowledge.create(name)
        if name == "Style guides":
            await core.service.knowledge.link("assistant_id", reviewer.id, [base.id])


async def _shoot_page(core: Core, runner: object, out: Path, theme: str) -> None:
    from chatdesk.ui.preferences import PreferencesDialog

    service = core.service
    dialog = PreferencesDialog(
        core.config.settings,
        runner=runner,  # type: ignore[arg-type]
        models=service.known_models,
        tools=service.tools,
        assistants=service.assistants,
        knowledge=service.knowledge,
    )
    page = dialog.assistants
    dialog.tabs.setCurrentWidget(page)
    await _until(lambda: page.list.topLevelItemCount() >= 5)
    await _grab_dialog(dialog, out / f"preferences-assistants-{theme}.png", runner)  # type: ignore[arg-type]
    rows = [page.list.topLevelItem(i) for i in range(page.list.topLevelItemCount())]
    page.list.setCurrentItem(
        next(r for r in rows if r is not None and r.text(0) == said("Code reviewer"))
    )
    page.edit_current()
    assert page.editor is not None
    editor_shown = page.editor
    await _until(lambda: editor_shown.bases.isVisible())
    await _grab_dialog(page.editor, out / f"assistant-edit-{theme}.png", runner)  # type: ignore[arg-type]
    page.editor.reject()
    page.open_new()
    editor = page.editor
    editor.name.setText("translator")
    editor.icon.setText("🗣")
    editor.colour.setText("#e65100")
    editor.description.setPlainText("Plain-language rewrites of legal text.")
    editor.prompt.setPlainText("Rewrite what the user gives you in plain English.")
    editor.examples.add_example("Rewrite this clause: ")
    editor.check_and_save()  # the name is Translator's: said in the form, the rest kept
    await _until(lambda: editor.problem.isVisible())
    await _grab_dialog(editor, out / f"assistant-refused-{theme}.png", runner)  # type: ignore[arg-type]
    editor.reject()
    count = page.list.topLevelItemCount()
    page.confirm_delete()  # Code reviewer, still the current one: gone at once, with Undo
    await _until(lambda: dialog.undo_bar.isVisible())
    await _grab_dialog(dialog, out / f"assistant-delete-{theme}.png", runner)  # type: ignore[arg-type]
    dialog.undo_bar.action.click()  # back, for the next theme
    await _until(lambda: page.list.topLevelItemCount() == count)
    dialog.close()
    dialog.deleteLater()


def run() -> int:
    return run_alone(assistant_page_screens)


if __name__ == "__main__":
    sys.exit(run())
