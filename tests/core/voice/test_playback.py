"""Playback, for real: espeak-ng's sound played through PortAudio into a PulseAudio null sink,
heard by recording the sink's monitor; a growing answer read aloud before it ends; Stop."""

from __future__ import annotations

import asyncio
import subprocess

import numpy
import pytest

from chatdesk.core.voice.playback import DeviceOutput, PlaybackFailed, output_devices
from chatdesk.core.voice.reading import (
    GrowingAnswer,
    ReadAloud,
    ReadingEvent,
    ReadingFailed,
    ReadingFinished,
    ReadingStarted,
    SentenceStarted,
)
from chatdesk.core.voice.speech_protocol import SpeechFailed
from chatdesk.core.voice.system_voices import EspeakSpeech
from tests.core.voice.conftest import RATE
from tests.core.voice_parts import Pulse

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

LOUD = 300.0  # RMS of 16-bit samples: speech, well above the silence of an idle sink


def loudness(recorder: subprocess.Popen[bytes]) -> float:
    """The RMS of what the monitor recorded, once the recorder is stopped."""
    recorder.terminate()
    data, _ = recorder.communicate()
    samples = numpy.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(numpy.float64)
    return float(numpy.sqrt(numpy.mean(samples**2))) if len(samples) else 0.0


@pytest.mark.asyncio
async def test_speech_is_heard_on_the_sound_server(null_sink: Pulse, espeak: str) -> None:
    assert output_devices()  # PortAudio sees the server through ALSA's pulse plugin
    audio = await EspeakSpeech().render("This sentence is played into the null sink.")
    recorder = null_sink.record(RATE)
    output = DeviceOutput()
    await output.play(audio)
    assert output.first_frame_at is not None
    assert loudness(recorder) > LOUD


@pytest.mark.asyncio
async def test_a_growing_answer_is_read_before_it_ends(null_sink: Pulse, espeak: str) -> None:
    events: list[object] = []
    first_heard = asyncio.Event()

    def follow(event: ReadingEvent) -> None:
        events.append(event)
        if isinstance(event, SentenceStarted):
            first_heard.set()

    answer = GrowingAnswer()
    reader = ReadAloud(EspeakSpeech(rate=2.0), DeviceOutput(), follow)
    recorder = null_sink.record(RATE)
    reader.start(answer)
    text = "The first sentence is here. "
    answer.grew(text)
    answer.grew(text + "The second one")
    await first_heard.wait()  # heard while the answer is still being written
    events.append("the answer ended")
    answer.ended(text + "The second one ends.")
    await reader.wait()
    assert events == [
        ReadingStarted(),
        SentenceStarted(0, "The first sentence is here."),
        "the answer ended",
        SentenceStarted(1, "The second one ends."),
        ReadingFinished(stopped=False),
    ]
    assert loudness(recorder) > LOUD


@pytest.mark.asyncio
async def test_stop_silences_at_once(null_sink: Pulse, espeak: str) -> None:
    events: list[ReadingEvent] = []
    playing = asyncio.Event()

    def follow(event: ReadingEvent) -> None:
        events.append(event)
        if isinstance(event, SentenceStarted):
            playing.set()

    output = DeviceOutput()
    reader = ReadAloud(EspeakSpeech(), output, follow)
    long = "This is a long sentence that goes on and on, " * 6 + "and ends."
    reader.start([long, "Never heard."])
    await playing.wait()
    reader.stop()
    await reader.wait()
    assert not reader.reading
    assert events == [ReadingStarted(), SentenceStarted(0, long), ReadingFinished(stopped=True)]
    whole = await EspeakSpeech().render(long)
    assert output.handed < whole.frames / 2  # cut off, not played to its end


@pytest.mark.asyncio
async def test_a_failing_voice_ends_the_reading_with_its_reason(null_sink: Pulse) -> None:
    events: list[ReadingEvent] = []

    class Refusing:
        name = "refusing"

        async def render(self, text: str) -> object:
            raise SpeechFailed("No voice is installed to read aloud.")

        async def voices(self) -> list[object]:
            return []

    reader = ReadAloud(Refusing(), DeviceOutput(), events.append)  # type: ignore[arg-type]
    reader.start(["Hello."])
    await reader.wait()
    assert events[0] == ReadingStarted()
    assert isinstance(events[1], ReadingFailed)
    assert "No voice" in str(events[1].error)


@pytest.mark.asyncio
async def test_no_sound_device_is_a_clear_error(espeak: str) -> None:
    audio = await EspeakSpeech().render("Nowhere to go.")
    with pytest.raises(PlaybackFailed, match="speakers or headphones"):
        await DeviceOutput(device="no such device").play(audio)
