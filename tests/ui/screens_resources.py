"""Screenshots of a tool server's resources (a real MCP server, tests/core/mcp_server.py): the
browser opened from Attach ▸ Resource from a server…, a chip read from a server with its
tooltip, and a tool call's card with the resources its result gave. Light and dark. Run alone:
`python tests/ui/screens_resources.py FOLDER`."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from chatdesk.ui.attachments.resource_browser import ResourceBrowser
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.mcp_helpers import chat_with_server
from tests.ui.screens import _core, _still, _until, run_alone, shown_window


async def resource_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        service = core.service
        thread = await chat_with_server(service, "notes")
        turn = await service.send(thread.id, "use the linked tool")
        await service.wait_for_answer(turn.answer.id)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            async with shown_window(core, 1280, 860) as window:
                await _shots(window, thread.id, out, theme)
    finally:
        await core.aclose()


async def _shots(window: MainWindow, thread_id: object, out: Path, theme: str) -> None:
    await _until(lambda: window.composer.isVisible())
    window.show_thread(thread_id)  # type: ignore[arg-type]
    await _until(lambda: len(window.view.widgets) == 2)
    window.composer.plus_menu.resource.trigger()  # "+" ▸ Resource from a server…
    await _until(lambda: window.composer.findChild(ResourceBrowser) is not None)
    browser = window.composer.findChild(ResourceBrowser)
    assert browser is not None
    await _until(lambda: browser.status.text() == "", 30)
    _save(browser, out / f"resource-browser-{theme}.png")
    browser.filter.setText("greet")
    await _until(_still(browser))
    _save(browser, out / f"resource-browser-template-{theme}.png")
    browser.filter.setText("shopping")
    browser.attach()
    await _until(lambda: len(window.composer.attachments()) == 1, 30)
    await _until(_still(window))
    _save(window, out / f"resource-card-and-chip-{theme}.png")
    [chip] = window.composer._strip.chips
    QToolTip.showText(chip.mapToGlobal(QPoint(10, chip.height())), chip.toolTip(), chip)
    tips = [w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel")]
    await _until(lambda: any(tip.isVisible() for tip in tips))
    _save(next(tip for tip in tips if tip.isVisible()), out / f"resource-chip-tooltip-{theme}.png")
    QToolTip.hideText()
    window.composer.set_draft("", [])


def _save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(resource_screens))
