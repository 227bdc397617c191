"""an answer streaming at 500 tokens/s in the window: loop stall p99 < 16 ms, max < 50 ms.

In one process, a real core with the mock provider paced at 500 tokens/s and a shown
`MainWindow` on a thread of 40 messages (benchmarks/window.py). A precise 5 ms QTimer records
how late each of its ticks comes (the gap minus 5 ms): the stall of the event loop that runs Qt
and asyncio. Measured from `service.send` until the answer is complete and formatted on screen,
for an answer of 1,000 and of 4,000 tokens (quick: 500 and 2,000): p99 and max stall, and the
CPU spent meanwhile by this process (all its threads: Qt's layout of the growing answer runs
here) and by its children (the render worker), each and both. Total render CPU should be linear
in answer length (docs/design.md §11): the growth 4,000 ÷ 1,000 should stay under 1.1 × 4 = 4.4×
(a cost per update that grows with the text makes it quadratic, which a 4× step shows more
plainly than a 2× one). The render worker's CPU is read with psutil (10 ms resolution), so its
growth is shown, not judged.

The mock's own answers are only 150–350 tokens, so for these runs the benchmark makes the mock
answer longer: its streaming is unchanged (same pacing, same token splitter), but the text is
several of its answers joined and cut at exactly N tokens (the 1,000-token answer is the first
quarter of the 4,000-token one). One ordinary answer is streamed first as a warm-up.

Baseline, same run: the same stall meter and CPU count with the window showing the same thread,
idle, for as long as the stream took.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

import chatdesk.core.providers.mock as mock_provider
from benchmarks.common import INFO, Target, percentile, report, running_core
from benchmarks.window import (
    TICK_MS,
    StallMeter,
    all_formatted,
    fill_thread,
    run_qt,
    shown_window,
    thread_shown,
    until,
)
from chatdesk.app import Core
from chatdesk.core.providers.mock_text import MockAnswer, mock_answer, mock_showcase, tokens_of
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow

TOKENS_PER_SECOND = 500
P99 = Target("< 16 ms", 16.0)
MAX = Target("< 50 ms", 50.0)
# Linear CPU grows a little slower than the answer (each answer has fixed costs: the send, the
# first-token delay, the final format); 10 % over the length ratio is left for noise.
SLACK = 1.1
IDLE = "idle window"
PROMPT = "Explain how a hash table works, with a small Python example"


def run(workdir: Path, quick: bool) -> None:
    lengths = (500, 2_000) if quick else (1_000, 4_000)
    run_qt(lambda: _measure(workdir, lengths))


@dataclass(frozen=True)
class Sample:
    """One measured stretch: a stream, or the window idle."""

    seconds: float  # wall time
    window_cpu_ms: float  # this process, all its threads
    worker_cpu_ms: float  # its children: the render worker
    stalls: list[float]  # ms per tick


CPU: dict[str, Callable[[Sample], float]] = {
    "window process": lambda sample: sample.window_cpu_ms,
    "render worker": lambda sample: sample.worker_cpu_ms,
    "both": lambda sample: sample.window_cpu_ms + sample.worker_cpu_ms,
}


async def _measure(workdir: Path, lengths: tuple[int, int]) -> None:
    async with running_core(workdir / "home", TOKENS_PER_SECOND) as core:
        thread_id = await fill_thread(core, 40, "streaming")
        async with shown_window(core) as window:
            window.show_thread(thread_id)
            await until(lambda: thread_shown(window, thread_id) and all_formatted(window))
            await _stream(core, window, thread_id, PROMPT + " (warm-up)", None)
            streams, idles = {}, {}
            for length in lengths:
                streams[length] = await _stream(core, window, thread_id, PROMPT, length)
                idles[length] = await _idle(streams[length].seconds)
    for length in lengths:
        stream, idle = streams[length], idles[length]
        print(
            f"      ({length:,} tokens streamed and formatted in {stream.seconds:.2f} s, "
            f"{len(stream.stalls)} ticks of {TICK_MS} ms; idle: {len(idle.stalls)} ticks)"
        )
        name = f"{length:,} tokens: loop stall"
        for label, q, target in (("p99", 99.0, P99), ("max", 100.0, MAX)):
            value, bare = percentile(stream.stalls, q), percentile(idle.stalls, q)
            report(f"{name} {label}", value, bare, "ms", target, bare=IDLE)
        for what, cpu in CPU.items():
            idle_cpu = cpu(idle) if what != "render worker" else None  # idle: nothing to show
            report(f"{length:,} tokens: CPU, {what}", cpu(stream), idle_cpu, "ms", INFO, bare=IDLE)
    small, large = lengths
    linear = large / small
    target = Target(f"< {SLACK * linear:g}× (linear {linear:g}×)", SLACK * linear)
    for what, cpu in CPU.items():
        growth = cpu(streams[large]) / cpu(streams[small])
        judged = INFO if what == "render worker" else target  # too few 10 ms ticks to judge
        report(f"CPU growth {large:,} ÷ {small:,}, {what}", growth, None, "×", judged)


async def _stream(
    core: Core, window: MainWindow, thread_id: uuid.UUID, prompt: str, length: int | None
) -> Sample:
    """Send, and measure until the answer is complete and its widget holds the formatted text."""
    meter = StallMeter()
    with long_answers(length), Usage() as usage:
        meter.start()
        turn = await core.service.send(thread_id, prompt)
        await core.service.wait_for_answer(turn.answer.id)
        widget = await _widget(window, turn.answer.id)
        await until(lambda: widget.rendered is not None)
        stalls = meter.stop()
    return Sample(usage.seconds, usage.window_cpu_ms, usage.worker_cpu_ms, stalls)


async def _widget(window: MainWindow, message_id: uuid.UUID) -> MessageWidget:
    await until(lambda: window.view.widget_for(message_id) is not None)
    widget = window.view.widget_for(message_id)
    assert widget is not None
    return widget


async def _idle(seconds: float) -> Sample:
    meter = StallMeter()
    with Usage() as usage:
        meter.start()
        await asyncio.sleep(seconds)
        stalls = meter.stop()
    return Sample(usage.seconds, usage.window_cpu_ms, usage.worker_cpu_ms, stalls)


class Usage:
    """Wall time and CPU time (this process, all threads; its children) of a `with` block."""

    def __enter__(self) -> Usage:
        self._me = psutil.Process()
        self._start = time.perf_counter(), time.process_time(), self._children()
        return self

    def __exit__(self, *_: object) -> None:
        wall, window, worker = self._start
        self.seconds = time.perf_counter() - wall
        self.window_cpu_ms = (time.process_time() - window) * 1000
        self.worker_cpu_ms = (self._children() - worker) * 1000

    def _children(self) -> float:
        total = 0.0
        for child in self._me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                total += times.user + times.system
        return total


@contextlib.contextmanager
def long_answers(tokens: int | None) -> Iterator[None]:
    """While inside, the mock answers with exactly `tokens` tokens (None: its own answers)."""
    original = mock_answer
    if tokens is None:
        yield
        return

    def answer(prompt: str, model: str = "mock-1") -> MockAnswer:
        pieces: list[str] = []
        part = 0
        while len(pieces) < tokens:
            pieces += tokens_of(mock_showcase(f"{prompt} ({part})", model) + "\n\n")
            part += 1
        return MockAnswer("".join(pieces[:tokens]), original(prompt, model).reasoning)

    names = vars(mock_provider)  # the provider module's own binding of mock_answer
    names["mock_answer"] = answer
    try:
        yield
    finally:
        names["mock_answer"] = original
