"""Reading aloud: time to first audio, the speakable text's cost, and nothing of voice at start.

- **First audio**: an answer streams into a `GrowingAnswer` read by `ReadAloud` with the system
  voice (espeak-ng); timed from the moment the text completing its first sentence arrives to
  the first samples handed to the sound device (PortAudio's first callback), or, with no
  device, to the sound rendered. The median of 15 answers (quick: 3). Bare baseline, same
  run: espeak-ng rendering the same sentence to WAV, started as a child process.
- **Speakable text**: the CPU time of `sentences()` on each input of the hostile corpus
  (tests/core/render/hostile_corpus.py); the slowest is reported, beside the window formatting
  it (bare). And a typical answer fed as it streams (20 tokens an update) against reading it
  whole once: the reader parses only from the first block still open.
- **In the window** (benchmarks/speak_window.py): the loop's stalls while an answer streams
  and is read aloud, and the first audio of Read aloud pressed on a finished 3 MB answer.
- **Start**: the modules a window's start imports (`-X importtime`) that belong to voice.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import INFO, Target, report, report_unmeasured
from benchmarks.render import TYPICAL

FIRST_AUDIO = Target("< 300 ms", 300.0)
NOTHING = Target("0 modules", 0.5)
SENTENCE = "The short answer is to stream the file instead of reading it whole."
_TOKEN = re.compile(r"\s*\S{1,4}|\s+")
VOICE_MODULES = ("chatdesk.core.voice", "sounddevice", "pyttsx3")


def run(workdir: Path, quick: bool) -> None:
    print(f"      (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        report_unmeasured("first audio after the first sentence", "no espeak-ng", FIRST_AUDIO)
    else:
        asyncio.run(_first_audio(espeak, 3 if quick else 15))
        from benchmarks import speak_window

        speak_window.run(workdir / "window", quick, espeak)
    _speakable()
    _start_imports()


async def _first_audio(espeak: str, runs: int) -> None:
    from chatdesk.core.voice.playback import DeviceOutput, PlaybackFailed
    from chatdesk.core.voice.system_voices import EspeakSpeech

    output = DeviceOutput()
    try:
        await output.play(await EspeakSpeech().render("Ready."))  # warm: PortAudio, a stream
        where = "first samples handed to the sound device"
    except PlaybackFailed:
        output = None  # type: ignore[assignment]
        where = "first sentence rendered (no sound device)"
    chat, bare = [], []
    for _ in range(runs):
        chat.append(await _one_answer(output))
        bare.append(_bare_render(espeak))
    print(f"      ({where}; {runs} answers)")
    report(
        "first audio after the first sentence",
        statistics.median(chat),
        statistics.median(bare),
        "ms",
        FIRST_AUDIO,
        bare="bare espeak-ng",
    )


async def _one_answer(output: object) -> float:
    from chatdesk.core.voice.playback import DeviceOutput
    from chatdesk.core.voice.reading import GrowingAnswer, ReadAloud, ReadingEvent
    from chatdesk.core.voice.sound import Sound
    from chatdesk.core.voice.system_voices import EspeakSpeech

    rendered: list[float] = []

    class Rendered:  # no device: the moment the sound is ready to be played
        async def play(self, audio: Sound) -> None:
            rendered.append(time.perf_counter())

    started = asyncio.Event()

    def follow(event: ReadingEvent) -> None:
        if type(event).__name__ == "SentenceStarted":
            started.set()

    device = output if isinstance(output, DeviceOutput) else None
    answer = GrowingAnswer()
    reader = ReadAloud(EspeakSpeech(), device or Rendered(), follow)
    reader.start(answer)
    answer.grew(SENTENCE[:-10])
    arrived = time.perf_counter()
    answer.grew(SENTENCE + " And then")  # the first sentence is complete now
    await started.wait()
    if device is not None:
        # PortAudio's first callback comes on its own thread
        await asyncio.to_thread(device.first_frame.wait, 30)
        first = device.first_frame_at or time.perf_counter()
    else:
        first = rendered[0]  # played (kept) just after the sentence was said to start
    reader.stop()
    await reader.wait()
    return (first - arrived) * 1000


def _bare_render(espeak: str) -> float:
    start = time.perf_counter()
    subprocess.run([espeak, "--stdout"], input=SENTENCE.encode(), capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000


def _speakable() -> None:
    from chatdesk.core.render import render_markdown
    from chatdesk.core.voice.speakable import Speakable, sentences
    from tests.core.render.hostile_corpus import CORPUS

    slowest = ("", 0.0, 0.0)
    for name, text, _ in CORPUS:
        cost = _cpu_ms(lambda text=text: sentences(text))
        if cost > slowest[1]:
            slowest = (name, cost, _cpu_ms(lambda text=text: render_markdown(text)))
    report(
        f"speakable, slowest hostile ({slowest[0]})",
        slowest[1],
        slowest[2],
        "ms",
        INFO,
        bare="the window's render",
    )
    _steps(CORPUS)
    tokens = _TOKEN.findall(TYPICAL)

    def streamed() -> None:
        reader = Speakable()
        for end in range(20, len(tokens) + 20, 20):
            reader.feed("".join(tokens[:end]))
        reader.finish(TYPICAL)

    report(
        "speakable, typical answer as it streams",
        _cpu_ms(streamed),
        _cpu_ms(lambda: sentences(TYPICAL)),
        "ms",
        INFO,
        bare="read whole once",
    )


def _steps(corpus: list[tuple[str, str, str | None]]) -> None:
    """The slowest step of `sentence_steps` (what Read aloud on a finished answer runs between
    turns of the loop): over the hostile corpus and a typical answer repeated to 3 MB and to
    150 KB (the longest read as Markdown), beside reading the same text whole."""
    from chatdesk.core.voice.speakable import sentence_steps, sentences

    texts = [(name, text) for name, text, _ in corpus]
    texts += [(f"typical × {n:,}", "\n\n".join([TYPICAL] * n)) for n in (1_200, 60)]
    slowest = ("", 0.0, 0.0)
    for name, text in texts:
        worst = _slowest_step(sentence_steps(text))
        if worst > slowest[1]:
            slowest = (name, worst, _cpu_ms(lambda text=text: sentences(text)))
    report(
        f"speakable in steps, slowest step ({slowest[0]})",
        slowest[1],
        slowest[2],
        "ms",
        INFO,
        bare="read whole",
    )


def _slowest_step(steps: Iterator[list[str]]) -> float:
    worst = 0.0
    while True:
        start = time.process_time()
        if next(steps, None) is None:
            return worst
        worst = max(worst, (time.process_time() - start) * 1000)


def _cpu_ms(work: object) -> float:
    start = time.process_time()
    work()  # type: ignore[operator]
    return (time.process_time() - start) * 1000


def _start_imports() -> None:
    """What the window's start imports, as `-X importtime` lists it: no voice module."""
    code = "import chatdesk.app, chatdesk.ui.application, chatdesk.cli.main"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env
    )
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    ]
    voice = [name for name in imported if name.startswith(VOICE_MODULES)]
    report("voice modules imported by the start", len(voice), None, "", NOTHING)
    if voice:
        print(f"      ({', '.join(voice)})")
