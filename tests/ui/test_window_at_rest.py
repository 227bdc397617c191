"""The window's whole run, as the `chatdesk` command makes it (its data folder's one chatdesk,
listening for a second start), holds nothing at rest that it does not use: what is loaded on
first use stays unloaded by a run that does not use it (`benchmarks/memory.py` measures the
window at rest; docs/design.md §11)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.ui.window_runs import window_run

# Loaded on first use, never by a run that only opens the window and attaches its core.
NOT_AT_REST = (
    # Windows' named pipe only: a Unix socket is served without QtNetwork (decision 0080)
    *(() if sys.platform == "win32" else ("PySide6.QtNetwork",)),
    # importlib.metadata, which SQLAlchemy imports and never uses here, runs when first used
    # (decision 0081): what running it would load
    *("importlib.metadata._adapters", "email", "csv"),
    # a tool server's client and signing in, with the first server configured
    *("chatdesk.core.tools.mcp", "chatdesk.core.tools.signin"),
    "chatdesk.core.knowledge.indexer",  # with a knowledge base's first indexing
    # what a message's actions open: an image, a server's question, Remember this…, a
    # comparison's columns, the summary's and the context window's dialogs
    *("chatdesk.ui.attachments.viewer", "chatdesk.ui.conversation.question_card"),
    *("chatdesk.ui.window.remember_dialog", "chatdesk.ui.conversation.comparison"),
    "chatdesk.ui.context.dialogs",
    # the offer to draw formulas, made with the first formula not drawn; installing an extra
    *("chatdesk.ui.window.formulas_offer", "chatdesk.core.extras_install"),
)

PROBE = f"""
import asyncio, sys, threading
from chatdesk.app import build_core
from chatdesk.configuration import configure
from chatdesk.core import handover
from chatdesk.ui.application import run

def build(config):
    core = build_core(config)
    start = core.start

    async def started():
        await start()
        name = await asyncio.to_thread(lambda: threading.current_thread().name)
        print("to_thread ran on:", name, flush=True)

    core.start = started
    return core

code = run(configure(), build, handover.Request("show"), handover.address())
print("loaded:", sorted(m for m in {NOT_AT_REST!r} if m in sys.modules))
sys.exit(code)
"""


def test_a_run_that_opens_the_window_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"  # the socket a second start would hand its request to
    runtime.mkdir(mode=0o700)
    lines = window_run(PROBE, tmp_path / "home", XDG_RUNTIME_DIR=str(runtime))
    assert "loaded: []" in lines, f"{lines}: loaded by a run that did not use it"
    # asyncio.to_thread's work runs on threads made as needed (chatdesk/ui/application.py),
    # not on the ten qasync's default executor starts at once and keeps
    ran_on = [line for line in lines if line.startswith("to_thread ran on:")]
    assert ran_on == ["to_thread ran on: chatdesk-blocking_0"]
