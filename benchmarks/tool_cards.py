"""Tool calls in the window: the event loop while 50 tool cards render, and while tools run.

In one process, a real core and a shown `MainWindow` (benchmarks/window.py), a 5 ms timer
records how late each of its ticks comes (the loop's stalls):

- opening an answer that made 50 tool calls (its finished calls folded under one line, as a
  user first sees them), against opening the same answer without calls; then unfolding them
  until all 50 cards (label, state, time; arguments and results folded) are shown;
- answers written by the mock provider that call a tool taking 100 ms (on the tools thread),
  their cards streaming, running with their clock, and done, one answer after another in the
  shown chat.

Target: stalls under 16 ms at the 99th percentile (a frame, docs/design.md §3) while the cards
unfold and while tools run. Baseline, same run: the same timer while the shown window idles.
Opening any thread stalls the loop on its own (docs/decisions/0024-headroom.md), so the open
with folded calls is shown beside the open without them, not judged.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import INFO, Target, percentile, report, running_core
from benchmarks.window import StallMeter, run_qt, shown_window, thread_shown, until
from chatdesk.app import Core
from chatdesk.core.chat import repository as repo
from chatdesk.core.kinds import Role, Status
from chatdesk.core.store.models import PartKind
from chatdesk.core.tools.model import Policy, ToolInfo, ToolOutcome
from chatdesk.ui.conversation.tool_calls import ToolCallList
from chatdesk.ui.main_window import MainWindow

STALL = Target("< 16 ms", 16.0)  # a frame (docs/design.md §3), at the 99th percentile
CARDS = 50
IDLE = "idle window"


def run(workdir: Path, quick: bool) -> None:
    run_qt(lambda: _measure(workdir, 3 if quick else 10, 3 if quick else 8))


async def _measure(workdir: Path, opens: int, answers: int) -> None:
    async with running_core(workdir / "home") as core:
        cards, plain = _seed(core, CARDS), _seed(core, 0)
        other = (await core.service.create_thread(title="empty")).id
        core.service.tools.box.add(_Sleeper())
        core.service.tools.policies.set("sleeper", Policy.ALLOW)
        async with shown_window(core) as window:
            await until(lambda: not window.sidebar.model.loading)
            await _open(window, other, plain)  # the first open starts the window's parts up
            await _open(window, other, cards)
            stalls: dict[str, list[float]] = {"plain": [], "folded": [], "unfold": []}
            unfolded: list[float] = []
            for _ in range(opens):
                stalls["plain"] += await _open(window, other, plain)
                stalls["folded"] += await _open(window, other, cards)
                took, during = await _unfold(window)
                unfolded.append(took)
                stalls["unfold"] += during
            ran, running = await _run_tools(core, window, answers, ["sleeper"])
            plain_ran, plain_running = await _run_tools(core, window, answers, [])
            idle = await _idle(max(sum(unfolded), sum(ran)) / 1000)
    print(
        f"      ({opens} opens of an answer with {CARDS} tool calls, and of it without; "
        f"{answers} answers"
    )
    print("      calling a tool of 100 ms on the tools thread, one after another)")
    name = "loop stall opening it, calls folded, p99"
    report(
        name,
        percentile(stalls["folded"], 99),
        percentile(stalls["plain"], 99),
        "ms",
        INFO,
        bare="without calls",
    )
    report("unfold: 50 cards shown, p50", percentile(unfolded, 50), None, "ms", INFO)
    for name, during in (("50 cards unfold", stalls["unfold"]), ("tools run", running)):
        value, bare = percentile(during, 99), percentile(idle, 99)
        report(f"loop stall while {name}, p99", value, bare, "ms", STALL, bare=IDLE)
        report(f"loop stall while {name}, max", max(during), max(idle), "ms", INFO, bare=IDLE)
    name = "loop stall while tools run, p99"
    report(
        name, percentile(running, 99), percentile(plain_running, 99), "ms", INFO, bare="no tools"
    )
    report(
        "answer with a tool call, p50",
        percentile(ran, 50),
        percentile(plain_ran, 50),
        "ms",
        INFO,
        bare="no tools",
    )


async def _open(window: MainWindow, away: uuid.UUID, thread_id: uuid.UUID) -> list[float]:
    """The loop's stalls while `thread_id` opens (from another thread) and settles."""
    window.show_thread(away)
    await until(lambda: window.current_thread_id == away)
    await asyncio.sleep(0.05)
    meter = StallMeter()
    meter.start()
    window.show_thread(thread_id)
    await until(lambda: thread_shown(window, thread_id))
    await asyncio.sleep(0.05)  # what a paint or a late layout still does
    return meter.stop()


async def _unfold(window: MainWindow) -> tuple[float, list[float]]:
    [listed] = _lists(window)
    meter = StallMeter()
    meter.start()
    start = time.perf_counter()
    listed._summary.click()  # as the user unfolds them
    await until(lambda: _cards_shown(window) == CARDS)
    took = (time.perf_counter() - start) * 1000
    await asyncio.sleep(0.05)
    return took, meter.stop()


def _lists(window: MainWindow) -> list[ToolCallList]:
    return [w.tool_calls for w in window.view.widgets if w.tool_calls is not None]


def _cards_shown(window: MainWindow) -> int:
    return sum(sum(c.isVisible() for c in listed.cards.values()) for listed in _lists(window))


async def _run_tools(
    core: Core, window: MainWindow, answers: int, servers: list[str]
) -> tuple[list[float], list[float]]:
    """Answers one after another in the shown chat, with `servers` (none: the same messages
    answered without a tool)."""
    thread = await core.service.create_thread(title="tools at work")
    await core.service.set_thread_tools(thread.id, servers)
    window.show_thread(thread.id)
    await until(lambda: window.current_thread_id == thread.id)
    times: list[float] = []
    meter = StallMeter()
    meter.start()
    for number in range(answers):
        start = time.perf_counter()
        turn = await core.service.send(thread.id, f"use the nap tool with turn={number}")
        answer = await core.service.wait_for_answer(turn.answer.id)
        assert len(answer.tool_calls) == len(servers), answer.tool_calls
        if servers:
            await until(lambda: _cards_shown(window) == number + 1)  # noqa: B023
        else:
            await until(lambda: window.view.widgets[-1].message.status.is_final)
        times.append((time.perf_counter() - start) * 1000)
    await asyncio.sleep(0.05)
    return times, meter.stop()


async def _idle(seconds: float) -> list[float]:
    meter = StallMeter()
    meter.start()
    await asyncio.sleep(seconds)
    return meter.stop()


class _Sleeper:
    """A tool source whose one tool takes 100 ms on the tools thread."""

    server = "sleeper"
    _INFO = ToolInfo("sleeper", "nap", "Wait a little.", {"type": "object", "properties": {}})

    async def tools(self) -> list[ToolInfo]:
        return [self._INFO]

    def known_tools(self) -> list[ToolInfo]:
        return [self._INFO]

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        await asyncio.sleep(0.1)
        text = json.dumps({"slept_ms": 100, **arguments})
        return ToolOutcome(text, size=len(text))


def _seed(core: Core, count: int) -> uuid.UUID:
    """A thread whose answer made `count` tool calls, done, each with a result of ~2 KB."""
    now = datetime.now(UTC)

    def parts() -> list[tuple[PartKind, str | None, dict[str, Any]]]:
        made: list[tuple[PartKind, str | None, dict[str, Any]]] = []
        for number in range(count):
            call_id = f"call_{number}"
            arguments = json.dumps({"path": f"notes/{number}.md", "lines": [1, 200]})
            made.append(
                (
                    PartKind.TOOL_CALL,
                    None,
                    {
                        "call_id": call_id,
                        "name": "files__read",
                        "server": "files",
                        "tool": "read",
                        "arguments": arguments,
                        "state": "done",
                        "approval": "allowed",
                        "round": 1 + number // 10,
                        "offset": 0,
                        "duration_ms": 40 + number,
                    },
                )
            )
            result = json.dumps({"path": f"notes/{number}.md", "text": "lorem ipsum " * 170})
            done = {"call_id": call_id, "is_error": False, "size": len(result)}
            made.append((PartKind.TOOL_RESULT, result, done))
        return made

    def seed(session: Any) -> uuid.UUID:
        row = repo.new_thread(session, now, None, f"{count} tool calls")
        session.flush()
        user = repo.insert_message(
            session, now, row, None, Role.USER, Status.COMPLETE, "Read all my notes"
        )
        reply = repo.insert_message(
            session,
            now,
            row,
            user,
            Role.ASSISTANT,
            Status.COMPLETE,
            "I read them all.",
            provider="mock",
            model="mock-1",
        )
        if count:
            reply.tool_time_ms = sum(40 + n for n in range(count))
            repo.add_parts(session, reply.id, parts())
        repo.set_active_leaf(session, row, reply.id)
        return row.id

    thread_id: uuid.UUID = core.insides.store.write_now(seed)
    return thread_id
