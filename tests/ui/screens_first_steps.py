"""Screenshots of the preferences' first steps: Knowledge with no base and Tools with no server
(each its explanation and first action), Team asking to join a team, and Team with an address
typed and Advanced unfolded. Light and dark, in a data folder of their own so nothing made by
the other screenshots shows. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_first_steps [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.tools.service import Tools
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _grab_dialog, _until, run_alone


async def first_step_screens(app: QApplication, out: Path) -> None:
    await in_own_home(app, out, _shoot)


Shoot = Callable[[Core, Tools, object, Path, str], Awaitable[None]]


async def in_own_home(app: QApplication, out: Path, shoot: Shoot) -> None:
    """`shoot(core, tools, runner, out, theme)` in the light and the dark theme, over a core and
    tool servers in a data folder of their own."""
    from chatdesk.core.assembly import tools_in
    from chatdesk.ui.runner import Runner

    before = os.environ.get("CHATDESK_HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["CHATDESK_HOME"] = home
        core = _core()
        runner = Runner()
        settings = core.config.settings
        tools = tools_in(lambda: settings, Path(home) / "tools", log_dir=Path(home) / "logs")
        try:
            await core.start()
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await shoot(core, tools, runner, out, theme)
        finally:
            await tools.aclose()
            await runner.aclose()
            await core.aclose()
            if before is not None:
                os.environ["CHATDESK_HOME"] = before


async def _shoot(core: Core, tools: Tools, runner: object, out: Path, theme: str) -> None:
    from chatdesk.ui.preferences import PreferencesDialog

    service = core.service
    dialog = PreferencesDialog(
        core.config.settings,
        runner=runner,  # type: ignore[arg-type]
        models=service.known_models,
        knowledge=service.knowledge,
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
        tools=tools,
        team=core.team,
    )
    dialog.tabs.setCurrentWidget(dialog.knowledge)
    await _until(lambda: not dialog.knowledge.intro.isHidden())
    await _grab_dialog(dialog, out / f"preferences-knowledge-empty-{theme}.png")
    dialog.tabs.setCurrentWidget(dialog.tools)
    await _grab_dialog(dialog, out / f"preferences-tools-empty-{theme}.png")
    team = dialog.team
    dialog.tabs.setCurrentWidget(team)
    await _grab_dialog(dialog, out / f"preferences-team-join-{theme}.png")
    team.address.setText("postgresql://ana@team.example.org:6432/chatdesk")
    team.address.textEdited.emit(team.address.text())
    team.fold(True)
    await _grab_dialog(dialog, out / f"preferences-team-advanced-{theme}.png")
    dialog.close()
    dialog.deleteLater()


def run() -> int:
    return run_alone(first_step_screens)


if __name__ == "__main__":
    sys.exit(run())
