"""Render one message as the window does, offscreen, and say how long it took.

    python -m chatdesk.ui.render_one [--width PX] [--look LOOK] < message.json

stdin holds one JSON object, `{"id": "…", "markdown": "…"}`, decoded with `json.loads`, so
lone surrogates and NUL characters arrive as they would from a hostile stream. The message goes
the window's whole way: the render worker's child process, its sanitiser, a message widget
(`chatdesk/ui/conversation/message.py`) with its Qt document and image loading, laid out at
`--width` pixels in the colours of `--look` (light, dark or contrast) and painted once in
full, so every image it names is asked for. The last line on stdout is `{"render_s":
seconds}`, from the start of formatting (the worker's child already running) to the end of
that paint; with `CHATDESK_RENDER_HTML_OUT` set, the HTML handed to Qt is written to that
file. It exits 0 whatever the message holds (a message too slow or too big is shown as plain
text, as in the window), 2 when stdin is not such an object.

For checking hostile output and for debugging what a message looks like to Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatdesk.core.kinds import Role
    from chatdesk.core.views import MessageView
    from chatdesk.ui.theme.colours import Look

EXIT_BAD_INPUT = 2
HTML_OUT = "CHATDESK_RENDER_HTML_OUT"
WAIT_S = 120.0  # far past the worker's own bounds: a hang here is a bug worth seeing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chatdesk.ui.render_one")
    parser.add_argument("--width", type=int, default=800, help="layout width in pixels")
    parser.add_argument(
        "--look", choices=("light", "dark", "contrast"), default="light", help="whose colours"
    )
    args = parser.parse_args(argv)
    try:
        message_id, markdown = _read(sys.stdin.read())
    except ValueError as error:
        print(f"render_one: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # the message's widget is a window of its own here
    seconds, html = qasync.run(_render(message_id, markdown, args.width, args.look))
    out = os.environ.get(HTML_OUT)
    if out:
        Path(out).write_text(html, encoding="utf-8", errors="surrogatepass")
    print(json.dumps({"render_s": round(seconds, 4)}))
    return 0


def _read(text: str) -> tuple[uuid.UUID, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"stdin is not JSON: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("markdown"), str):
        raise ValueError('stdin must be one object with a string "markdown"')
    given = str(data.get("id", ""))
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chatdesk:render_one:{given}"), data["markdown"]


def message_alone(
    content: str, message_id: uuid.UUID | None = None, role: Role | None = None
) -> MessageView:
    """A complete message of no thread (an answer unless `role` says), as shown here alone."""
    from chatdesk.core.kinds import Role, Status
    from chatdesk.core.views import MessageView, Usage

    now = datetime.now(UTC)
    return MessageView(
        id=message_id or uuid.uuid4(),
        thread_id=uuid.uuid4(),
        parent_id=None,
        depth=1,
        role=role or Role.ASSISTANT,
        status=Status.COMPLETE,
        content=content,
        reasoning=None,
        provider="mock",
        model="mock",
        usage=Usage(),
        latency_ms=None,
        first_token_ms=None,
        error_type=None,
        error_detail=None,
        created_at=now,
        completed_at=now,
    )


async def _render(
    message_id: uuid.UUID, markdown: str, width: int, look: Look
) -> tuple[float, str]:
    from PySide6.QtWidgets import QApplication

    from chatdesk.core.render.worker import RenderWorker
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.conversation.message import MessageWidget
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.theme.render_palette import render_palette

    worker = RenderWorker()
    worker.start()
    runner = Runner()
    formatter = Formatter(worker, runner)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    formatter.follow(app)  # the window's reading type
    formatter.palette = render_palette(look)
    message = message_alone(markdown, message_id)
    try:
        await worker.render("ready")  # the child's start-up is not the message's time
        started = time.perf_counter()
        widget = MessageWidget(message, formatter)
        widget.resize(width, 100)
        widget.show()
        deadline = started + WAIT_S
        while widget.rendered is None:  # the worker's answer arrives on this loop
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no formatted message after {WAIT_S:.0f} s")
            await asyncio.sleep(0.001)
        widget.grab()  # one full paint: every image in the document is asked for
        seconds = time.perf_counter() - started
        html = widget.rendered.html
        widget.close()
        widget.deleteLater()
        return seconds, html
    finally:
        formatter.close()
        await runner.aclose()
        await worker.aclose()


if __name__ == "__main__":
    sys.exit(main())
