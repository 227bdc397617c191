"""Reading aloud in the shown window: the event loop's stalls, and a long answer's first audio.

In one process, a real core (the mock paced at 500 tokens/s) and a shown `MainWindow`
(benchmarks/window.py), reading through the window's own `ReadingAloud` with the system voice
(espeak-ng). The sound goes to the sound device when one plays (the first samples it asks for
are the first audio), else, as benchmarks/speak.py does, each sentence counts as heard once
rendered, and is then held for as long as it lasts, as a device plays it.

- **Streamed and read**: an answer of 4,000 tokens (quick: 1,000; the mock's answers joined,
  as benchmarks/streaming.py makes them) streams into a 40-message thread and its Read aloud is
  pressed once its first words show; twice, in turns with the same answer streamed unread. A
  5 ms timer's lateness (the loop's stall) from the send until the answer is complete and
  formatted, the reading going on meanwhile: p99 and max, beside the same answer streamed
  without Read aloud (target: reading adds at most 4 ms to its p99; what streaming itself
  costs the loop is the `stream` benchmark's), which is shown beside the window idle.
- **A finished 3 MB answer** (quick: 1 MB; a typical answer repeated): from Read aloud pressed
  to its first audio (target: the 300 ms of a streamed answer's first audio), the median of 3,
  beside bare espeak-ng rendering its first sentence; and the loop's stalls from each press
  until 2 s of reading have passed (the three together), beside the idle window (target: a
  frame, < 16 ms at p99).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import INFO, Target, insert_rows, percentile, report, running_core, set_leaf
from benchmarks.render import TYPICAL
from benchmarks.streaming import long_answers
from benchmarks.window import (
    IDLE,
    Stalls,
    all_formatted,
    fill_thread,
    run_qt,
    shown_window,
    stalls_during,
    thread_shown,
    until,
)
from chatdesk.app import Core
from chatdesk.core.ids import new_id
from chatdesk.core.kinds import Role, Status
from chatdesk.core.voice.sound import Sound
from chatdesk.core.voice.speakable import sentences
from chatdesk.ui.main_window import MainWindow

FIRST_AUDIO = Target("< 300 ms", 300.0)
# Reading aloud while an answer streams may add this much to the stream's own p99 stall (not
# guarded: two stall percentiles of a busy machine differ by more than that from run to run).
READ_ADDS = Target("≤ unread + 4 ms", over_bare=4.0, guarded=False)
UNREAD = "streamed unread"
PROMPT = "Explain how a hash table works, with a small Python example"
READ_ON = 2.0  # seconds of reading the long answer measured after its first audio


class Heard:
    """Where the sound goes with no sound device: each sentence heard once rendered, and
    played for as long as it lasts, as a device plays it."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def play(self, audio: Sound) -> None:
        self.times.append(time.perf_counter())
        await asyncio.sleep(audio.seconds)

    def first_after(self, moment: float) -> float | None:
        return next((t for t in self.times if t > moment), None)


def run(workdir: Path, quick: bool, espeak: str) -> None:
    run_qt(lambda: _measure(workdir, quick, espeak))


async def _measure(workdir: Path, quick: bool, espeak: str) -> None:
    from chatdesk.core.voice.playback import DeviceOutput, PlaybackFailed
    from chatdesk.core.voice.system_voices import EspeakSpeech

    tokens, size = (1_000, 1_000_000) if quick else (4_000, 3_000_000)
    output: DeviceOutput | Heard = DeviceOutput()
    try:
        await output.play(await EspeakSpeech().render("Ready."))  # warm: PortAudio, a stream
        where = "first samples handed to the sound device"
    except PlaybackFailed:
        output, where = (
            Heard(),
            "each sentence heard once rendered, played for its length (no sound device)",
        )
    async with running_core(workdir / "home", tokens_per_second=500) as core:
        thread_id = await fill_thread(core, 40, "reading aloud")
        long_id, long_answer = await long_thread(core, size)
        async with shown_window(core) as window:
            reading = window.actions_.reading
            reading.speaking = lambda: core.speaking  # as chatdesk.ui.application attaches it
            reading.voice = lambda: window.settings.current.voice
            reading.output = output
            await _show(window, thread_id)
            runs: dict[bool, list[Stalls]] = {False: [], True: []}
            heard = 0
            for read in (False, True) * 2:  # in turns: the machine's load falls on both alike
                said, stalls = await stalls_during(
                    _stream_read(core, window, thread_id, tokens, read)
                )
                runs[read].append(stalls)
                heard += said
            alone, streamed = (_pooled(runs[read]) for read in (False, True))
            await _show(window, long_id)
            firsts, readings = [], []
            for _ in range(3):
                first, stalls = await stalls_during(_read_long(window, long_answer, output))
                firsts.append(first)
                readings.append(stalls)
            long_read = _pooled(readings)
    print(f"      ({where}; {streamed.ticks()})")
    print(f"      ({heard} sentences heard while {tokens:,} tokens streamed, twice)")
    # What reading adds to the window's own streaming (whose stalls the `stream` benchmark
    # budgets): the streamed answer read aloud against the same answer streamed unread.
    report(
        f"loop stall, {tokens:,} tokens streamed and read aloud, p99",
        percentile(streamed.busy, 99),
        percentile(alone.busy, 99),
        "ms",
        READ_ADDS,
        bare=UNREAD,
    )
    report(
        f"loop stall, {tokens:,} tokens streamed and read aloud, max",
        max(streamed.busy),
        max(alone.busy),
        "ms",
        INFO,
        bare=UNREAD,
    )
    for label, q in (("p99", 99.0), ("max", 100.0)):
        report(
            f"loop stall, the same streamed, not read, {label}",
            percentile(alone.busy, q),
            percentile(alone.idle, q),
            "ms",
            INFO,
            bare=IDLE,
        )
    first_sentence = sentences(TYPICAL)[0]
    bare = statistics.median(_bare_render(espeak, first_sentence) for _ in range(3))
    megabytes = f"{size / 1e6:g} MB"
    report(
        f"first audio, Read aloud on a finished {megabytes} answer",
        statistics.median(firsts),
        bare,
        "ms",
        FIRST_AUDIO,
        bare="bare espeak-ng",
    )
    print(f"      (from the press until {READ_ON:g} s of reading, 3 times; {long_read.ticks()})")
    long_read.report(f"loop stall, a finished {megabytes} answer read aloud")


def _pooled(runs: list[Stalls]) -> Stalls:
    """The runs' ticks together."""
    busy = [stall for run in runs for stall in run.busy]
    idle = [stall for run in runs for stall in run.idle]
    return Stalls(busy, idle, sum(run.seconds for run in runs))


async def _show(window: MainWindow, thread_id: uuid.UUID) -> None:
    window.show_thread(thread_id)
    await until(lambda: thread_shown(window, thread_id) and all_formatted(window))
    await asyncio.sleep(0.5)  # the window settles: its paints are not counted


async def _stream_read(
    core: Core, window: MainWindow, thread_id: uuid.UUID, tokens: int, read: bool = True
) -> int:
    """Send; press Read aloud on the answer once its first words show (if `read`); until it is
    complete and formatted. How many sentences were heard by then."""
    reading = window.actions_.reading
    with long_answers(tokens):
        turn = await core.service.send(thread_id, PROMPT)
        await until(
            lambda: (
                (w := window.view.widget_for(turn.answer.id)) is not None
                and bool(w.message.content)
            )
        )
        if read:
            reading.toggle(turn.answer.id)
        await core.service.wait_for_answer(turn.answer.id)
        widget = window.view.widget_for(turn.answer.id)
        assert widget is not None
        await until(lambda: widget.rendered is not None)
    heard = len(reading.heard)
    reading.stop()
    await until(lambda: reading.reading is None)
    return heard


async def _read_long(window: MainWindow, answer_id: uuid.UUID, output: object) -> float:
    """Read aloud pressed on the long answer: ms until its first audio; then READ_ON s more."""
    from chatdesk.core.voice.playback import DeviceOutput

    reading = window.actions_.reading
    pressed = time.perf_counter()
    reading.toggle(answer_id)
    if isinstance(output, DeviceOutput):
        await until(lambda: output.first_frame_at is not None and output.first_frame_at > pressed)
        first = output.first_frame_at
    else:
        assert isinstance(output, Heard)
        await until(lambda: output.first_after(pressed) is not None)
        first = output.first_after(pressed)
    assert first is not None
    await asyncio.sleep(READ_ON)
    reading.stop()
    await until(lambda: reading.reading is None)
    return (first - pressed) * 1000


async def long_thread(core: Core, size: int) -> tuple[uuid.UUID, uuid.UUID]:
    """A thread of a question and an answer of about `size` characters (a typical answer over
    and over), written straight into the store."""
    thread = await core.service.create_thread(title="a long answer")
    text = (TYPICAL + "\n\n") * (size // (len(TYPICAL) + 2))
    question, answer, at = new_id(), new_id(), datetime.now(UTC)
    common = {
        "thread_id": thread.id,
        "status": Status.COMPLETE,
        "created_at": at,
        "completed_at": at,
        "updated_at": at,
    }
    rows = [
        {
            **common,
            "id": question,
            "parent_id": None,
            "active_child_id": answer,
            "depth": 0,
            "role": Role.USER,
            "content": "Tell me everything.",
            "provider": None,
            "model": None,
        },
        {
            **common,
            "id": answer,
            "parent_id": question,
            "active_child_id": None,
            "depth": 1,
            "role": Role.ASSISTANT,
            "content": text,
            "provider": "mock",
            "model": "mock-1",
        },
    ]
    insert_rows(core, rows)
    set_leaf(core, thread.id, answer, 2)
    return thread.id, answer


def _bare_render(espeak: str, sentence: str) -> float:
    start = time.perf_counter()
    subprocess.run([espeak, "--stdout"], input=sentence.encode(), capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000
