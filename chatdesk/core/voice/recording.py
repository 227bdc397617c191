"""Recording from a microphone: sounddevice (PortAudio; decision 0062), 16 kHz mono.

The audio stays in memory, never on disk. PortAudio calls back on its own thread every 50 ms
(so the level meter moves about 20 times a second); the callback only measures the block and
asks voice activity detection about it, then hands it to the event loop with
`call_soon_threadsafe`. Everything else (keeping the blocks, the level, the end) happens on
the loop. A recording ends when the user stops it, at `[voice] max_seconds`, at the end of
speech when asked (a pause after speech, as long as `[voice] sensitivity` says), or when the
microphone goes away: then what was recorded so far is kept and `problem` says what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from chatdesk.core.i18n import tr
from chatdesk.core.voice import portaudio
from chatdesk.core.voice.audio import SAMPLE_RATE, Audio, VoiceError
from chatdesk.core.voice.speech_end import EndOfSpeech

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

BLOCK = SAMPLE_RATE // 20  # 50 ms: the level about 20 times a second
# No block for this long while recording: the device is gone (unplugged, its server stopped).
# The first block may take longer: an audio server wakes the device up (on a busy machine,
# PulseAudio took over two seconds).
SILENT_DEVICE_SECONDS = 3.0
FIRST_BLOCK_SECONDS = 10.0


class Ending(enum.StrEnum):
    STOPPED = "stopped"  # by the user
    END_OF_SPEECH = "end_of_speech"
    LIMIT = "limit"  # [voice] max_seconds
    DEVICE_LOST = "device_lost"


@dataclass(frozen=True, eq=False)
class Recorded:
    """A finished recording: its audio (kept even when the device failed) and why it ended."""

    audio: Audio
    ending: Ending
    heard_speech: bool
    problem: str | None = None  # what went wrong, for the user (the audio so far is kept)


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    is_default: bool


def _sounddevice() -> ModuleType:
    missing = tr(
        "Recording needs the PortAudio library, which this computer lacks (on Debian "
        "and Ubuntu: the libportaudio2 package)."
    )
    return portaudio.load(VoiceError(missing))


def input_devices(*, fresh: bool = True) -> list[InputDevice]:
    """The microphones PortAudio sees, for Preferences ▸ Voice: afresh (a microphone plugged
    in since is listed), or with `fresh` False as PortAudio listed them last."""
    sd = _sounddevice()
    try:
        devices = portaudio.devices(sd, fresh=fresh)
        default = sd.default.device[0]
    except sd.PortAudioError:
        return []
    return [
        InputDevice(index, str(device["name"]), index == default)
        for index, device in enumerate(devices)
        if device["max_input_channels"] > 0
    ]


def _device_index(name: str) -> int | None:
    """The microphone named `name` (exactly, else the first whose name holds it); looked for
    afresh when PortAudio's last list lacks it."""
    if not name:
        return None
    devices = input_devices(fresh=False)
    found = _named(devices, name)
    if found is None:
        devices = input_devices()
        found = _named(devices, name)
    if found is not None:
        return found
    raise VoiceError(
        tr(
            "There is no microphone named {name} (found: {found}). Choose one in Preferences ▸ "
            "Voice.",
            name=name,
            found=", ".join(device.name for device in devices) or tr("none"),
        )
    )


def _named(devices: list[InputDevice], name: str) -> int | None:
    for device in devices:
        if device.name == name:
            return device.index
    for device in devices:
        if name.casefold() in device.name.casefold():
            return device.index
    return None


class Recording:
    """One recording. `start()` it, read `level` (or pass `on_level`), `stop()` it, and await
    `finished()` for what was recorded."""

    def __init__(
        self,
        *,
        device: str = "",
        max_seconds: int = 300,
        sensitivity: str = "medium",
        stop_at_end_of_speech: bool = False,
        on_level: Callable[[float], None] | None = None,
    ) -> None:
        self._device = device
        self._limit = max_seconds * SAMPLE_RATE
        self._speech = EndOfSpeech(sensitivity)
        self._stop_at_end = stop_at_end_of_speech
        self._on_level = on_level
        self._blocks: list[bytes] = []
        self._samples = 0
        self._stream: Any = None
        self._done: asyncio.Future[Recorded] | None = None
        self._last_block = 0.0
        self._watch: asyncio.TimerHandle | None = None
        self.level = 0.0  # the last block's RMS, 0 to 1

    @property
    def seconds(self) -> float:
        return self._samples / SAMPLE_RATE

    @property
    def heard_speech(self) -> bool:
        return self._speech.heard

    async def start(self) -> None:
        """Open the microphone and start recording; raises VoiceError when there is none."""
        loop = asyncio.get_running_loop()
        self._done = loop.create_future()
        self._stream = await asyncio.to_thread(self._open, loop)
        self._last_block = time.monotonic() + FIRST_BLOCK_SECONDS - SILENT_DEVICE_SECONDS
        self._watch = loop.call_later(FIRST_BLOCK_SECONDS, self._check_alive)

    def stop(self) -> None:
        """End the recording now (what was recorded is kept)."""
        self._finish(Ending.STOPPED)

    async def finished(self) -> Recorded:
        if self._done is None:
            raise RuntimeError("the recording was not started")
        recorded = await asyncio.shield(self._done)
        await self._close()
        return recorded

    async def cancel(self) -> None:
        """Stop and drop the audio."""
        self._finish(Ending.STOPPED)
        self._blocks.clear()
        await self._close()

    # -- on PortAudio's thread ---------------------------------------------------------------

    def _open(self, loop: asyncio.AbstractEventLoop) -> Any:
        sd = _sounddevice()
        measure = self._speech.measure

        def arrived(data: Any, frames: int, moment: Any, status: Any) -> None:
            block = bytes(data)
            level, ended = measure(block)
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is listening
                loop.call_soon_threadsafe(self._arrived, block, level, ended)

        def stopped() -> None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._finish, Ending.DEVICE_LOST)

        def started() -> Any:
            stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="int16",
                blocksize=BLOCK,
                device=device,
                callback=arrived,
                finished_callback=stopped,
            )
            stream.start()
            return stream

        device = _device_index(self._device)
        try:
            stream = portaudio.opened(started)
        except sd.PortAudioError as error:
            raise VoiceError(
                tr(
                    "Could not open the microphone ({reason}). Check that one is connected and "
                    "that chatdesk may use it (the system's privacy settings), or choose another "
                    "in Preferences ▸ Voice.",
                    reason=error,
                )
            ) from None
        return stream

    # -- on the loop ------------------------------------------------------------------------

    def _arrived(self, block: bytes, level: float, ended: bool) -> None:
        if self._done is None or self._done.done():
            return
        self._last_block = time.monotonic()
        self._blocks.append(block)
        self._samples += len(block) // 2
        self.level = level
        if self._on_level is not None:
            self._on_level(level)
        if self._samples >= self._limit:
            self._finish(Ending.LIMIT)
        elif ended and self._stop_at_end:
            self._finish(Ending.END_OF_SPEECH)

    def _check_alive(self) -> None:
        if self._done is None or self._done.done():
            return
        waited = time.monotonic() - self._last_block
        if waited >= SILENT_DEVICE_SECONDS:
            self._finish(Ending.DEVICE_LOST)
            return
        loop = asyncio.get_running_loop()
        self._watch = loop.call_later(SILENT_DEVICE_SECONDS - waited, self._check_alive)

    def _finish(self, ending: Ending) -> None:
        if self._done is None or self._done.done():
            return
        problem = None
        if ending is Ending.DEVICE_LOST:
            problem = tr(
                "The microphone stopped sending sound (unplugged, or its audio service stopped). "
                "What was recorded until then is kept."
            )
        self._done.set_result(Recorded(self._audio(), ending, self._speech.heard, problem))
        if self._watch is not None:
            self._watch.cancel()

    def _audio(self) -> Audio:
        import numpy as np

        pcm: npt.NDArray[np.int16] = np.frombuffer(b"".join(self._blocks), dtype="<i2")
        return Audio((pcm[: self._limit].astype(np.float32) / 32768.0).astype(np.float32))

    async def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):  # a device already gone cannot be stopped
                await asyncio.to_thread(_close_stream, stream)


def _close_stream(stream: Any) -> None:
    portaudio.closed(stream)
