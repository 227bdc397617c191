"""The composer's slash menu with tool servers' prompts: its first paint once the lists are
kept, against the same menu with the saved prompts only, measured in the same run.

Two real cores, each with a shown window (offscreen) and the same 20 saved prompts; one also
has 5 stdio MCP servers written with the SDK (`benchmarks/prompt_server.py`) of 20 prompts each,
whose lists are asked for once before measuring. Turn about, each window's message field is
emptied, then "/" is typed (`insertPlainText`, as a key press types it): the time until the
slash menu's first paint after it, p50 and max (target < 50 ms at p50)."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt

from benchmarks.common import INFO, Target, percentile, report, running_core
from benchmarks.window import Paints, run_qt, shown_window, until
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.ui.main_window import MainWindow

SERVER = Path(__file__).with_name("prompt_server.py")
SERVERS = 5
SAVED = 20
FIRST_PAINT = Target("< 50 ms", limit=50.0)


def run(workdir: Path, quick: bool) -> None:
    run_qt(lambda: _measure(workdir, 10 if quick else 40))


async def _measure(workdir: Path, turns: int) -> None:
    async with running_core(workdir / "servers") as core, running_core(workdir / "saved") as bare:
        for made in (core, bare):
            for number in range(SAVED):
                await made.service.prompts.save(f"Saved {number}", f"Saved prompt {number}.")
        for number in range(SERVERS):
            config = ServerConfig(
                f"server{number}",
                Transport.STDIO,
                command=sys.executable,
                args=("-I", str(SERVER)),
                command_approved=True,
            )
            await core.service.tools.add_server(config)
        started = time.perf_counter()
        listed = await core.service.tools.prompts.refresh()
        lists = (time.perf_counter() - started) * 1000
        assert len(listed) == SERVERS * 20, len(listed)
        async with shown_window(core) as window, shown_window(bare) as saved_only:
            entries = SAVED + SERVERS * 20
            await until(lambda: len(window.composer.slash.entries) >= entries)
            await until(lambda: len(saved_only.composer.slash.entries) >= SAVED)
            served, plain = [], []
            for _ in range(turns):
                served.append(await _opened(window))
                plain.append(await _opened(saved_only))
    print(
        f"      ({turns} openings each, turn about; {SERVERS} servers × 20 prompts, {SAVED} saved)"
    )
    bare_name = "saved prompts only"
    report(
        "slash menu first paint, p50",
        percentile(served, 50),
        percentile(plain, 50),
        "ms",
        FIRST_PAINT,
        bare=bare_name,
    )
    report("slash menu first paint, max", max(served), max(plain), "ms", INFO, bare=bare_name)
    report(
        "5 servers' lists asked for (cold)",
        lists,
        statistics.median(plain),
        "ms",
        INFO,
        bare="a plain opening",
    )


async def _opened(window: MainWindow) -> float:
    """Milliseconds from "/" typed in an empty field to the slash menu's first paint."""
    composer = window.composer
    menu = composer.slash
    composer.editor.clear()
    composer.editor.setFocus(Qt.FocusReason.OtherFocusReason)
    await until(lambda: not menu.isVisible())
    await asyncio.sleep(0.01)  # the hidden menu's last paints go by
    paints = Paints([menu.viewport()])
    started = time.perf_counter()
    composer.editor.insertPlainText("/")
    painted = await paints.after(started)
    menu.viewport().removeEventFilter(paints)
    return (painted - started) * 1000
