"""Audio as the speech engines take it: 16 kHz mono samples, and the failures voice can have.

Samples are float32 numbers between -1 and 1 in a numpy array, kept in memory only; `wav_bytes`
makes a WAV of them in memory for a server that wants a file.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.core.errors import ChatdeskError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
# Below this root mean square (about -54 dBFS) a whole recording holds no sound worth sending.
SILENCE_RMS = 0.002


class VoiceError(ChatdeskError):
    """Speech could not be recorded, read or turned into text; the message says why and what
    to do."""


@dataclass(frozen=True, eq=False)
class Audio:
    """Speech to transcribe: 16 kHz mono float32 samples."""

    samples: npt.NDArray[np.float32]

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def rms(self) -> float:
        return rms(self.samples)

    def is_silent(self) -> bool:
        return self.rms() < SILENCE_RMS

    def wav_bytes(self) -> bytes:
        """A 16-bit PCM WAV of the samples, made in memory."""
        import numpy as np

        pcm = (np.clip(self.samples, -1.0, 1.0) * 32767).astype("<i2")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(SAMPLE_RATE)
            wav.writeframes(pcm.tobytes())
        return buffer.getvalue()


def rms(samples: npt.NDArray[np.float32]) -> float:
    """The root mean square of `samples` (0 for none): the loudness a level meter shows."""
    import numpy as np

    if not len(samples):
        return 0.0
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
