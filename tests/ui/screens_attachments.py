"""Screenshots of attachments: the composer holding an image, a PDF, a scan and a file being read; a
conversation with images and documents and the mock's answer about them; the image viewer; a
tool's picture on its call's card (a real MCP server, tests/core/mcp_server.py). Light and
dark. Run through tests/ui/screens.py."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core import attachment_files as files
from tests.ui.screens import _core, _shoot, _until


async def attachment_screens(app: QApplication, out: Path) -> None:
    core = _core()
    folder = Path(tempfile.mkdtemp())
    try:
        await core.start()
        service = core.service
        attacher = service.attacher
        photo = await attacher.attach_bytes("harbour.jpg", files.photo(4000, 3000, (40, 110, 170)))
        sunset = await attacher.attach_bytes(
            "sunset.png", files.photo(1200, 800, (230, 120, 40), fmt="PNG")
        )
        report = await attacher.attach_bytes(
            "Q3 report.pdf", files.pdf(["Revenue grew by a third", "Costs stayed flat", "Outlook"])
        )
        notes = await attacher.attach_file(files.docx(folder / "Meeting notes.docx"))
        scan = await attacher.attach_bytes("Signed contract.pdf", files.scanned_pdf(2))
        turn = await service.send_new(
            "What do these show, and what does the report conclude?",
            attachments=[photo, sunset, report, notes],
        )
        await service.wait_for_answer(turn.answer.id)
        thread_id = turn.answer.thread_id

        async def conversation(window: MainWindow) -> None:
            window.show_thread(thread_id)
            await _until(lambda: len(window.view.widgets) == 2)
            await _until(lambda: all(w.rendered is not None for w in window.view.widgets))
            row = window.view.widgets[0].attachments
            assert row is not None
            await _until(lambda: all(not b.icon().isNull() for b in row.buttons[:2]))
            window.composer.set_draft("", [])  # the draft an earlier shot left
            window.composer.add_attachment(photo)
            window.composer.add_attachment(report)
            window.composer.add_attachment(scan)  # offers its pages as images
            window.composer.add_pending("Pasted image")
            window.composer.set_text("And this one?")
            await _until(lambda: window.composer.thumbnails is not None)
            await asyncio.sleep(0.2)
            window.view.verticalScrollBar().setValue(0)

        await _shoot(app, core, out, "attachments", conversation)
        await _shoot_viewer(app, core, out, photo.sha256)
    finally:
        await core.aclose()


async def _shoot_viewer(app: QApplication, core: object, out: Path, sha256: str) -> None:
    from chatdesk.ui.attachments.viewer import ImageViewer

    folder = core.service.attacher.blobs.folder  # type: ignore[attr-defined]
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        viewer = ImageViewer("harbour.jpg", sha256, folder)
        viewer.resize(900, 700)
        viewer.show()
        await _until(lambda v=viewer: bool(v.size_label.text()))
        await asyncio.sleep(0.2)
        path = out / f"image-viewer-{theme}.png"
        viewer.grab().save(str(path))
        print(path)
        viewer.close()


async def tool_image_screens(app: QApplication, out: Path) -> None:
    """An answer whose tool call drew a chart: the card with the chart's thumbnail."""
    from chatdesk.core.tools.model import Policy
    from chatdesk.core.tools.servers import ServerConfig, Transport

    core = _core()
    try:
        await core.start()
        service = core.service
        server = Path(__file__).parent.parent / "core" / "mcp_server.py"
        args = ("-I", str(server), "stdio")
        await service.tools.add_server(
            ServerConfig(
                "plots", Transport.STDIO, command=sys.executable, args=args, command_approved=True
            )
        )
        service.tools.policies.set("plots", Policy.ALLOW)
        thread = await service.create_thread(title="Quarterly sales")
        await service.set_thread_tools(thread.id, ["plots"])
        ask = 'use the chart tool with values="12,18,9,24" title="Sales by quarter"'
        turn = await service.send(thread.id, ask)
        await service.wait_for_answer(turn.answer.id)

        async def card(window: MainWindow) -> None:
            window.show_thread(thread.id)
            await _until(lambda: len(window.view.widgets) == 2)
            await _until(lambda: all(w.rendered is not None for w in window.view.widgets))
            calls = window.view.widgets[1].tool_calls
            await _until(lambda: calls is not None and bool(calls.cards))
            assert calls is not None
            (shown,) = calls.cards.values()
            assert shown.images is not None
            await _until(lambda: all(not b.icon().isNull() for b in shown.images.buttons))
            window.view.verticalScrollBar().setValue(0)

        await _shoot(app, core, out, "tool-image", card)
    finally:
        await core.aclose()
