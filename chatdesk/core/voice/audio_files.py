"""Audio files in: WAV, MP3, M4A, OGG, FLAC and WebM decoded to 16 kHz mono for the engines.

A PCM WAV is read by the standard library's `wave`, so it needs nothing more; the other formats
(and WAVs in another encoding) by PyAV, FFmpeg's libraries bundled in its wheels (decision
0062), which is the `audio-files` extra, installed when asked for (decision 0074). Decoding
runs in a worker thread, never on the event loop. What a file is comes from its first bytes,
not its name: a FLAC named `.mp3` is read as the FLAC it is, random bytes named `.mp3` are
refused. A file longer than `[voice] max_seconds` is cut there, and the result says so; the
rest is never decoded, so a two-hour file costs no more than its first minutes.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.voice.audio import SAMPLE_RATE, Audio, VoiceError
from chatdesk.core.voice.runtime import AUDIO_FILES, how_to_get

if TYPE_CHECKING:
    from typing import TypeAlias

    import av
    import numpy as np
    import numpy.typing as npt

    Decoded: TypeAlias = tuple[npt.NDArray[np.float32], float | None, bool]  # and whether cut

FORMATS = ("WAV", "MP3", "M4A", "OGG", "FLAC", "WebM")
_HEAD = 16


@dataclass(frozen=True, eq=False)
class AudioFile:
    """A decoded file: its speech, what it is, and whether it was cut at the longest length."""

    path: Path
    kind: str  # one of FORMATS
    audio: Audio
    total_seconds: float | None  # the whole file's length when the file says it
    cut: bool  # only the first `max_seconds` were kept

    def cut_note(self, max_seconds: int) -> str:
        """The sentence that says the file was cut ("" when it was not)."""
        if not self.cut:
            return ""
        return tr(
            "{name} is longer than {limit} seconds, the longest chatdesk transcribes ([voice] "
            "max_seconds); only its first {limit} seconds were transcribed.",
            name=self.path.name,
            limit=max_seconds,
        )


def sniff(head: bytes) -> str | None:
    """The format that a file's first bytes show, or None when they show no audio format."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"OggS":
        return "OGG"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "WebM"
    if head[4:8] == b"ftyp":
        return "M4A"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    return None


async def read_audio_file(path: str | os.PathLike[str], max_seconds: int) -> AudioFile:
    """`path` decoded to 16 kHz mono, at most its first `max_seconds`, in a worker thread.

    Raises VoiceError for a missing, empty, unreadable, corrupt or silent file, one that is no
    audio, or one in a codec this build cannot decode.
    """
    return await asyncio.to_thread(decode_file, Path(path), max_seconds)


def decode_file(path: Path, max_seconds: int) -> AudioFile:
    """What `read_audio_file` does, in the calling thread."""
    kind = _kind(path)
    samples, total, cut = _decode_any(path, kind, max_seconds)
    audio = Audio(samples)
    if not len(samples):
        raise VoiceError(
            tr("{name} holds no sound chatdesk can read: it may be damaged.", name=path.name)
        )
    if audio.is_silent():
        raise VoiceError(
            tr("{name} is silent: there is no speech in it to transcribe.", name=path.name)
        )
    return AudioFile(path, kind, audio, total, cut)


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as file:
            head = file.read(_HEAD)
    except FileNotFoundError:
        raise VoiceError(tr("There is no file {path}.", path=str(path))) from None
    except OSError as error:
        raise VoiceError(
            tr("Could not read {path}: {reason}", path=str(path), reason=error.strerror or error)
        ) from None
    if not head:
        raise VoiceError(tr("{name} is empty: there is no sound in it.", name=path.name))
    kind = sniff(head)
    if kind is None:
        raise VoiceError(
            tr(
                "{name} is not an audio file chatdesk can read, whatever its name says. "
                "Give a {formats} file.",
                name=path.name,
                formats=", ".join(FORMATS),
            )
        )
    return kind


def _decode_any(path: Path, kind: str, max_seconds: int) -> Decoded:
    if kind == "WAV":
        try:
            return decode_wav(path, max_seconds)
        except (wave.Error, EOFError):
            pass  # a WAV in an encoding the standard library does not read: PyAV may
    if importlib.util.find_spec("av") is None:
        raise VoiceError(
            tr(
                "{name} is a {kind} file, which chatdesk reads with the audio-files runtime. {how}",
                name=path.name,
                kind=kind,
                how=how_to_get(AUDIO_FILES),
            )
        )
    return _decode(path, max_seconds)


def decode_wav(path: Path, max_seconds: int) -> Decoded:
    """A PCM WAV (8, 16, 24 or 32 bits, any rate, any channels) by the standard library,
    mixed to mono and resampled to 16 kHz; raises `wave.Error` for another encoding."""
    import numpy as np

    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        frames = wav.getnframes()
        data = wav.readframes(min(frames, max_seconds * rate))
    if width not in (1, 2, 3, 4) or not rate or not channels:
        raise wave.Error(f"{width}-byte samples")
    samples = _pcm(data[: len(data) - len(data) % (width * channels)], width)
    mono = samples.reshape(-1, channels).mean(axis=1, dtype=np.float32)
    return resampled(mono, rate), frames / rate, frames > max_seconds * rate


_PCM = {1: ("u1", 128.0, 128.0), 2: ("<i2", 0.0, 32768.0), 4: ("<i4", 0.0, 2.0**31)}


def _pcm(data: bytes, width: int) -> npt.NDArray[np.float32]:
    import numpy as np

    if width == 3:  # 24-bit: each sample widened to 32 bits, its low byte zero
        packed = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3)
        wide = np.zeros((len(packed), 4), dtype=np.uint8)
        wide[:, 1:] = packed
        return (wide.view("<i4").reshape(-1) / 2.0**31).astype(np.float32)
    dtype, offset, scale = _PCM[width]
    return ((np.frombuffer(data, dtype=dtype).astype(np.float32) - offset) / scale).astype(
        np.float32
    )


def resampled(samples: npt.NDArray[np.float32], rate: int) -> npt.NDArray[np.float32]:
    """`samples` at `rate` brought to 16 kHz: low-passed below 8 kHz first when the rate is
    higher (a windowed sinc, so nothing above folds back into speech), then interpolated."""
    import numpy as np

    if rate == SAMPLE_RATE or not len(samples):
        return samples.astype(np.float32, copy=False)
    if rate > SAMPLE_RATE:
        cutoff = 0.45 * SAMPLE_RATE / rate  # in cycles per sample, a little under 8 kHz
        taps = np.arange(-32, 33)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(len(taps))
        samples = np.convolve(samples, kernel / kernel.sum(), mode="same")
    count = round(len(samples) * SAMPLE_RATE / rate)
    where = np.arange(count) * (rate / SAMPLE_RATE)
    result: npt.NDArray[np.float32] = np.interp(where, np.arange(len(samples)), samples).astype(
        np.float32
    )
    return result


def _decode(path: Path, max_seconds: int) -> Decoded:
    import av
    import numpy as np

    limit = max_seconds * SAMPLE_RATE
    parts: list[npt.NDArray[np.float32]] = []
    kept = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise VoiceError(tr("{name} has no sound track.", name=path.name))
            stream = container.streams.audio[0]
            total = container.duration / 1_000_000 if container.duration else None
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                kept += _keep(resampler.resample(frame), parts)
                if kept >= limit:
                    break
            else:
                kept += _keep(resampler.resample(None), parts)
    except av.error.DecoderNotFoundError:
        raise _unknown_codec(path, None) from None
    except av.error.FFmpegError as error:
        if "codec" in str(error).lower() and "not" in str(error).lower():
            raise _unknown_codec(path, str(error)) from None
        raise VoiceError(
            tr(
                "{name} could not be decoded: it is damaged or not what its first bytes say "
                "({reason}).",
                name=path.name,
                reason=error.strerror or type(error).__name__,
            )
        ) from None
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return samples[:limit].astype(np.float32, copy=False), total, kept > limit


def _keep(frames: list[av.AudioFrame], parts: list[npt.NDArray[np.float32]]) -> int:
    import numpy as np

    kept = 0
    for frame in frames:
        part = np.asarray(frame.to_ndarray(), dtype=np.float32).reshape(-1)
        parts.append(part)
        kept += len(part)
    return kept


def _unknown_codec(path: Path, detail: str | None) -> VoiceError:
    return VoiceError(
        tr(
            "{name} uses a codec chatdesk cannot decode. Convert it to {formats} and try again.",
            name=path.name,
            formats=", ".join(FORMATS),
        )
        + (f" ({detail})" if detail else "")
    )
