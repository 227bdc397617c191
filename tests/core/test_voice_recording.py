"""Recording through a real PulseAudio server: espeak-ng's speech played into a null sink while
chatdesk records its monitor, as a microphone. PortAudio reaches PulseAudio through ALSA's pulse
plugin (the device `pulse`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from chatdesk.core.voice.audio import SAMPLE_RATE, VoiceError, rms
from chatdesk.core.voice.recording import Ending, Recording, input_devices
from chatdesk.core.voice.speech_end import EndOfSpeech
from tests.core.voice_parts import (
    Pulse,
    need_library,
    pulse,
    silence_wav,
    speak,
    start_pulse,
    stop_pulse,
)

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

__all__ = ["pulse"]  # the fixture, used by name


def loud_windows(samples: np.ndarray, window: int = SAMPLE_RATE // 10) -> list[bool]:
    return [rms(samples[i : i + window]) > 0.01 for i in range(0, len(samples), window)]


@pytest.mark.asyncio
async def test_speech_played_into_the_monitor_is_recorded_with_levels_and_its_end_found(
    pulse: Pulse, tmp_path: Path
) -> None:
    speech = speak(tmp_path)
    assert any(device.name == "pulse" for device in input_devices())
    levels: list[float] = []
    recording = Recording(device="pulse", stop_at_end_of_speech=True, on_level=levels.append)
    await recording.start()
    player = pulse.play(speech)
    recorded = await asyncio.wait_for(recording.finished(), 60)
    await asyncio.to_thread(player.wait)
    assert recorded.ending is Ending.END_OF_SPEECH
    assert recorded.heard_speech
    assert recorded.problem is None
    loud = loud_windows(recorded.audio.samples)
    assert sum(loud) >= 10  # a second and more of speech (the sentence lasts about three)
    assert loud[-3:] != [True, True, True]  # it ended in the pause, not mid-word
    # the level moved about 20 times a second, with the speech
    assert len(levels) >= recorded.audio.seconds * 15
    assert max(levels) > 0.02
    assert min(levels) < 0.005


@pytest.mark.asyncio
async def test_a_recording_stopped_by_the_user_keeps_what_was_said(
    pulse: Pulse, tmp_path: Path
) -> None:
    speech = speak(tmp_path)
    recording = Recording(device="pulse")
    heard = asyncio.Event()
    recording_levels: list[float] = []

    def level(value: float) -> None:
        recording_levels.append(value)
        if recording.heard_speech:
            heard.set()

    recording._on_level = level
    await recording.start()
    player = pulse.play(speech)
    await asyncio.wait_for(heard.wait(), 60)
    recording.stop()
    recorded = await recording.finished()
    player.terminate()
    await asyncio.to_thread(player.wait)
    assert recorded.ending is Ending.STOPPED
    assert any(loud_windows(recorded.audio.samples))


@pytest.mark.asyncio
async def test_the_longest_length_ends_a_recording(pulse: Pulse, tmp_path: Path) -> None:
    recording = Recording(device="pulse", max_seconds=1)
    await recording.start()
    recorded = await asyncio.wait_for(recording.finished(), 60)
    assert recorded.ending is Ending.LIMIT
    assert len(recorded.audio.samples) == SAMPLE_RATE


@pytest.mark.asyncio
async def test_the_audio_server_going_away_keeps_what_was_recorded(
    pulse: Pulse, tmp_path: Path
) -> None:
    speech = speak(tmp_path)
    recording = Recording(device="pulse")
    await recording.start()
    player = pulse.play(speech)
    while recording.seconds < 1.5:  # noqa: ASYNC110 (blocks arrive from PortAudio's thread)
        await asyncio.sleep(0.05)
    pulse.kill()  # as a USB microphone pulled out
    recorded = await asyncio.wait_for(recording.finished(), 60)
    await asyncio.to_thread(player.wait)
    assert recorded.ending is Ending.DEVICE_LOST
    assert "What was recorded until then is kept" in (recorded.problem or "")
    assert recorded.audio.seconds >= 1.5
    assert any(loud_windows(recorded.audio.samples))


@pytest.mark.asyncio
async def test_a_microphone_that_is_not_there_is_named(pulse: Pulse) -> None:
    with pytest.raises(VoiceError, match="There is no microphone named Nowhere USB"):
        await Recording(device="Nowhere USB").start()


def test_the_end_of_speech_waits_for_a_pause_as_long_as_the_sensitivity_says(
    tmp_path: Path,
) -> None:
    from chatdesk.core.voice.audio_files import decode_file

    speech = decode_file(speak(tmp_path), 300).audio.samples
    quiet = np.zeros(SAMPLE_RATE * 2, dtype=np.float32)
    pcm = (np.concatenate([quiet, speech, quiet]) * 32767).astype("<i2").tobytes()
    block = SAMPLE_RATE // 20 * 2
    ends = {}
    for sensitivity in ("low", "medium", "high"):
        detector = EndOfSpeech(sensitivity)
        at = next(i for i in range(0, len(pcm), block) if detector.feed(pcm[i : i + block]))
        ends[sensitivity] = at / 2 / SAMPLE_RATE
    speech_end = 2 + len(speech) / SAMPLE_RATE
    assert speech_end < ends["high"] < ends["medium"] < ends["low"] <= speech_end + 1.3
    silent = EndOfSpeech()
    assert not silent.feed(silence_wav(tmp_path / "q.wav", 2).read_bytes()[44:])
    assert not silent.heard


@pytest.mark.asyncio
async def test_an_audio_server_started_after_portaudio_is_recorded_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PortAudio lists the devices when it starts: a microphone that appears later (plugged
    in, or its audio server started after chatdesk) is found by a fresh list."""
    need_library("portaudio", "libportaudio2")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'nobody-listens'}")
    assert all(device.name != "pulse" for device in input_devices())  # no server yet
    started = start_pulse(tmp_path / "pulse")
    try:
        monkeypatch.setenv("PULSE_SERVER", started.server)
        recording = Recording(device="pulse")
        await recording.start()  # not "there is no microphone named pulse"
        player = started.play(speak(tmp_path))
        await asyncio.to_thread(player.wait)
        recording.stop()
        recorded = await recording.finished()
        assert recorded.problem is None
        assert sum(loud_windows(recorded.audio.samples)) >= 10  # the speech, recorded
    finally:
        stop_pulse(started)
