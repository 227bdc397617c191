"""Sound played through the computer's output device, with sounddevice (PortAudio).

PortAudio comes inside sounddevice's wheels on Windows and macOS; on Linux it is the
distribution's (Debian's `libportaudio2`), reaching PulseAudio or PipeWire through ALSA.
Each sound opens a stream of its own rate; the device pulls the samples from a callback on
PortAudio's thread, and `play` returns once the last of them has been played, or at once when
it is cancelled (Stop), the stream then being aborted rather than drained.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from types import ModuleType
from typing import Any, Protocol

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.voice import portaudio
from chatdesk.core.voice.sound import SAMPLE_BYTES, Sound


class PlaybackFailed(ChatdeskError):
    """Sound could not be played: no output device, or no PortAudio."""


class Output(Protocol):
    """Where spoken sound goes."""

    async def play(self, audio: Sound) -> None:
        """Play `audio` through; cancelled, stop at once."""
        ...


class DeviceOutput:
    """The system's sound output (or `device`, a PortAudio device's name or number).
    `first_frame_at` is when the device last asked for its first samples
    (`time.perf_counter()`), which the benchmark `speak` reads; `handed`, how many frames of
    the last sound it was given."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self.first_frame_at: float | None = None
        self.first_frame = threading.Event()  # set with first_frame_at
        self.handed = 0

    async def play(self, audio: Sound) -> None:
        if not audio.pcm:
            return
        sounddevice = _sounddevice()
        self.first_frame_at, self.handed = None, 0
        self.first_frame.clear()
        loop = asyncio.get_running_loop()
        played: asyncio.Future[None] = loop.create_future()
        feed = _Feed(audio, self)

        def finished() -> None:
            loop.call_soon_threadsafe(_settle, played)

        opening = asyncio.ensure_future(
            asyncio.to_thread(_opened, sounddevice, self.device, audio, feed, finished)
        )
        try:
            stream = await asyncio.shield(opening)
        except asyncio.CancelledError:  # stopped while the stream opened: close it once open
            with contextlib.suppress(PlaybackFailed):
                await asyncio.to_thread(_closed, await opening)
            raise
        try:
            await played
        finally:
            await asyncio.to_thread(_closed, stream)  # abort: what is queued is not played


class _Feed:
    """The samples, handed to the device a block at a time on PortAudio's thread."""

    def __init__(self, audio: Sound, output: DeviceOutput) -> None:
        self.data = memoryview(audio.pcm)
        self.frame = SAMPLE_BYTES * audio.channels
        self.at = 0
        self.output = output
        self.stop: type[BaseException] = Exception

    def __call__(self, out: Any, frames: int, when: Any, status: Any) -> None:
        if self.at == 0:
            self.output.first_frame_at = time.perf_counter()
            self.output.first_frame.set()
        wanted = frames * self.frame
        chunk = self.data[self.at : self.at + wanted]
        self.at += len(chunk)
        self.output.handed = self.at // self.frame
        out[: len(chunk)] = chunk
        if len(chunk) < wanted:
            out[len(chunk) :] = b"\0" * (wanted - len(chunk))
            raise self.stop  # sounddevice.CallbackStop: play what was given, then finish


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _opened(
    sounddevice: ModuleType, device: str | int | None, audio: Sound, feed: _Feed, finished: Any
) -> Any:
    feed.stop = sounddevice.CallbackStop

    def started() -> Any:
        stream = sounddevice.RawOutputStream(
            samplerate=audio.rate,
            channels=audio.channels,
            dtype="int16",
            device=device,
            callback=feed,
            finished_callback=finished,
        )
        stream.start()
        return stream

    try:
        return portaudio.opened(started)
    except (sounddevice.PortAudioError, ValueError) as error:
        raise no_device(error) from None


def _closed(stream: Any) -> None:
    portaudio.closed(stream)


def no_device(error: object) -> PlaybackFailed:
    return PlaybackFailed(
        tr(
            "No sound output could be opened ({error}). Connect speakers or headphones, or "
            "check the system's sound settings.",
            error=error,
        )
    )


def _sounddevice() -> ModuleType:
    missing = tr(
        "Sound cannot be played: the PortAudio library is missing. Install it (on Debian and "
        "Ubuntu: sudo apt install libportaudio2; on Fedora: sudo dnf install portaudio)."
    )
    return portaudio.load(PlaybackFailed(missing))


def output_devices() -> list[str]:
    """The names of the output devices PortAudio sees."""
    return [
        str(device["name"])
        for device in portaudio.devices(_sounddevice())  # afresh, as the microphones
        if int(device["max_output_channels"]) > 0
    ]
