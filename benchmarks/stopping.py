"""Stop during a running MCP call: p95 of Stop → answer ended < 300 ms, of Ctrl+C → the exit
of `chatdesk ask` < 1 s.

The test server (tests/core/mcp_server.py, over stdio) runs its `count` tool, which reports
progress 100 times a second and says "started" to a port of 127.0.0.1 once it has begun.

- Stop → answer ended: a real core in this process (`running_core`), a chat with the server
  switched on and allowed; the mock model calls `count`; once its first progress event is out,
  `service.stop(answer)` until it returns the answer as saved (interrupted, its call marked
  stopped, the server told to cancel it): 20 runs (quick: 5). Bare baseline, in turns with it:
  a bare `mcp.Client` session of its own to the same server, the same call awaited in a task,
  cancelled once its first progress arrived, until the task has ended.
- Ctrl+C → exit: the real command (`python -m chatdesk ask … --tools bench`) in a fresh
  process; once the tool said it started, SIGINT until the process has exited (exit 130
  checked): 8 runs (quick: 3). Bare baseline, in turns with it: a bare Python process waiting
  on its stdin, SIGINT until it has exited.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import INFO, Target, environment, percentile, report, running_core
from chatdesk.core.chat.events import Event, ToolCallProgressed
from chatdesk.core.kinds import Status
from chatdesk.core.service import ChatService
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.servers import ServerConfig, Transport

SERVER = Path(__file__).parents[1] / "tests" / "core" / "mcp_server.py"
COMMAND = (sys.executable, "-I", str(SERVER), "stdio")
ASK = "use the count tool with steps=100000 every=0.01"
STOP_TARGET = Target("< 300 ms", limit=300.0)
EXIT_TARGET = Target("< 1 s", limit=1000.0)
HANG = 120.0  # seconds a step may take before the run is taken to hang


def run(workdir: Path, quick: bool) -> None:
    chat, bare = asyncio.run(_stops(workdir / "home", 5 if quick else 20))
    _lines("Stop → answer ended", chat, bare, STOP_TARGET, "bare task cancelled")
    chat, bare = _interrupts(workdir / "cli", 3 if quick else 8)
    _lines("Ctrl+C → `chatdesk ask` exited", chat, bare, EXIT_TARGET, "bare python SIGINT")


def _lines(name: str, chat: list[float], bare: list[float], target: Target, what: str) -> None:
    report(f"{name}, p50", percentile(chat, 50), percentile(bare, 50), "ms", INFO, bare=what)
    report(f"{name}, p95", percentile(chat, 95), percentile(bare, 95), "ms", target, bare=what)


# -- Stop in the core ----------------------------------------------------------------------------


async def _stops(home: Path, runs: int) -> tuple[list[float], list[float]]:
    chat: list[float] = []
    bare: list[float] = []
    async with running_core(home) as core:
        service = core.service
        config = ServerConfig(
            "bench", Transport.STDIO, command=COMMAND[0], args=COMMAND[1:], command_approved=True
        )
        await service.tools.add_server(config)
        service.tools.policies.set("bench", Policy.ALLOW)
        await service.tools.test_server("bench")  # started before anything is timed
        thread = await service.create_thread(title="Stop")
        await service.set_thread_tools(thread.id, ["bench"])
        async with _bare_client() as client:
            for _ in range(runs):
                chat.append(await _stop_once(service, thread.id))
                bare.append(await _cancel_once(client))
    return chat, bare


async def _stop_once(service: ChatService, thread_id: object) -> float:
    moved = asyncio.Event()

    def heard(event: Event) -> None:
        if isinstance(event, ToolCallProgressed):
            moved.set()

    unsubscribe = service.events.subscribe(heard)
    try:
        turn = await service.send(thread_id, ASK)  # type: ignore[arg-type]
        await moved.wait()
        start = time.perf_counter()
        answer = await service.stop(turn.answer.id)
        took = (time.perf_counter() - start) * 1000
    finally:
        unsubscribe()
    assert answer.status is Status.INTERRUPTED, answer.status
    assert answer.tool_calls[0].state == "not_finished", answer.tool_calls
    return took


def _bare_client():  # type: ignore[no-untyped-def]
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    return Client(StdioServerParameters(command=COMMAND[0], args=list(COMMAND[1:])))


async def _cancel_once(client: object) -> float:
    moved = asyncio.Event()

    async def progressed(progress: float, total: float | None, message: str | None) -> None:
        moved.set()

    call = asyncio.create_task(
        client.call_tool(  # type: ignore[attr-defined]
            "count", {"steps": 100_000, "every": 0.01}, progress_callback=progressed
        )
    )
    await moved.wait()
    start = time.perf_counter()
    call.cancel()
    await asyncio.gather(call, return_exceptions=True)
    return (time.perf_counter() - start) * 1000


# -- Ctrl+C on the command line ------------------------------------------------------------------


def _interrupts(home: Path, runs: int) -> tuple[list[float], list[float]]:
    chat: list[float] = []
    bare: list[float] = []
    with environment(CHATDESK_HOME=str(home), CHATDESK_MOCK_TOKENS_PER_SECOND="0"):
        added = subprocess.run(
            [sys.executable, "-m", "chatdesk", "tools", "add", "bench", "--", *COMMAND],
            capture_output=True,
            check=False,
        )
        assert added.returncode == 0, added.stderr
        for _ in range(runs):
            chat.append(_interrupt_ask())
            bare.append(_interrupt_bare())
    return chat, bare


def _interrupt_ask() -> float:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        listening.settimeout(HANG)
        ask = f"{ASK} started={listening.getsockname()[1]}"
        argv = ["ask", ask, "--tools", "bench", "--approve", "allow"]
        process = subprocess.Popen(
            [sys.executable, "-m", "chatdesk", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with listening.accept()[0] as told:
            assert told.recv(16) == b"started"
    took = _until_exit(process)
    assert process.returncode == 130, process.returncode
    return took


def _interrupt_bare() -> float:
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready" + os.linesep.encode()
    took = _until_exit(process)
    assert process.stdin is not None
    process.stdin.close()
    process.stdout.close()
    return took


def _until_exit(process: subprocess.Popen[bytes]) -> float:
    """Milliseconds from Ctrl+C (SIGINT; the benchmarks run on POSIX) until `process` exited."""
    start = time.perf_counter()
    process.send_signal(signal.SIGINT)
    process.wait(timeout=HANG)
    return (time.perf_counter() - start) * 1000
