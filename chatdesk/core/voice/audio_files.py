"""Audio files in: WAV, MP3, M4A, OGG, FLAC and WebM decoded to 16 kHz mono for the engines.

PyAV (FFmpeg's libraries, bundled in its wheels; decision 0062) decodes in a worker
thread, never on the event loop. What a file is comes from its first bytes, not its name: a
FLAC named `.mp3` is read as the FLAC it is, random bytes named `.mp3` are refused. A file
longer than `[voice] max_seconds` is cut there, and the result says so; the rest is never
decoded, so a two-hour file costs no more than its first minutes.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.voice.audio import SAMPLE_RATE, Audio, VoiceError

if TYPE_CHECKING:
    import av
    import numpy as np
    import numpy.typing as npt

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
    samples, total, cut = _decode(path, max_seconds)
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


def _decode(path: Path, max_seconds: int) -> tuple[npt.NDArray[np.float32], float | None, bool]:
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
