"""Sound as chatdesk passes it around: 16-bit PCM with its rate, read from and written as WAV."""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

SAMPLE_BYTES = 2  # signed 16-bit little-endian samples


class SoundUnreadable(ChatdeskError):
    """Sound chatdesk cannot read: not WAV, or a kind of WAV it does not play."""


@dataclass(frozen=True)
class Sound:
    """Signed 16-bit little-endian PCM, `channels` interleaved, `rate` frames a second."""

    pcm: bytes
    rate: int
    channels: int = 1

    @property
    def frames(self) -> int:
        return len(self.pcm) // (SAMPLE_BYTES * self.channels)

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0

    def wav(self) -> bytes:
        """The sound as a WAV file's bytes."""
        header = struct.pack(
            "<4sI4s4sIHHIIHH4sI",
            b"RIFF",
            36 + len(self.pcm),
            b"WAVE",
            b"fmt ",
            16,
            1,  # PCM
            self.channels,
            self.rate,
            self.rate * self.channels * SAMPLE_BYTES,
            self.channels * SAMPLE_BYTES,
            8 * SAMPLE_BYTES,
            b"data",
            len(self.pcm),
        )
        return header + self.pcm

    def rms(self) -> float:
        """The root mean square of the samples, from 0 (silence) to 32,768."""
        if len(self.pcm) < SAMPLE_BYTES:
            return 0.0
        import numpy

        samples = numpy.frombuffer(self.pcm[: len(self.pcm) // 2 * 2], dtype="<i2")
        return float(math.sqrt(numpy.mean(samples.astype(numpy.float64) ** 2)))

    def louder(self, volume: float) -> Sound:
        """The sound at `volume` (0 to 1) of its loudness."""
        if volume >= 1.0 or not self.pcm:
            return self
        import numpy

        samples = numpy.frombuffer(self.pcm, dtype="<i2").astype(numpy.float32) * max(0.0, volume)
        return Sound(samples.astype("<i2").tobytes(), self.rate, self.channels)


def joined(parts: Sequence[Sound]) -> Sound:
    """The parts one after another (they share one rate and channel count)."""
    if not parts:
        return Sound(b"", 22_050)
    first = parts[0]
    if any((part.rate, part.channels) != (first.rate, first.channels) for part in parts):
        raise ValueError("parts of different rates")
    return Sound(b"".join(part.pcm for part in parts), first.rate, first.channels)


def from_wav(data: bytes) -> Sound:
    """A WAV file's sound. A server that streams WAV may leave the sizes in its header unset
    (0 or 0xFFFFFFFF): the data then runs to the end."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SoundUnreadable(tr("The sound is not a WAV file."))
    at = 12
    form: tuple[int, int, int, int] | None = None
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = at + 8
        if kind == b"fmt " and body + 16 <= len(data):
            form = struct.unpack_from("<HHIxxxxxxH", data, body)
        elif kind == b"data":
            if form is None:
                break
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            return _pcm(data[body:end], form)
        at = body + size + (size & 1)
    raise SoundUnreadable(tr("The WAV file holds no sound chatdesk can read."))


def _pcm(samples: bytes, form: tuple[int, int, int, int]) -> Sound:
    encoding, channels, rate, bits = form
    if encoding not in (1, 0xFFFE) or bits != 16 or not 1 <= channels <= 8 or rate <= 0:
        raise SoundUnreadable(
            tr(
                "The WAV file is in a form chatdesk does not play ({bits}-bit, encoding "
                "{encoding}); 16-bit PCM is.",
                bits=bits,
                encoding=encoding,
            )
        )
    usable = len(samples) - len(samples) % (SAMPLE_BYTES * channels)
    return Sound(samples[:usable], rate, channels)
