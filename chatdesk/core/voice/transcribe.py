"""Speech to text, two ways behind one protocol: a provider profile's transcription endpoint
(`provider_stt.py`), or faster-whisper on this computer (`local_stt.py`).

`Voice` is what the front-ends hold: it picks the engine from `[voice] stt_provider` and
`stt_model` (or what a command names), reads audio files, makes recordings, and keeps the
local models. Every failure is a `VoiceError` that says what to do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from chatdesk.core.extras import Extras
from chatdesk.core.i18n import tr
from chatdesk.core.voice.audio import Audio, VoiceError
from chatdesk.core.voice.models import ModelStore

if TYPE_CHECKING:
    import os

    from chatdesk.core.providers.base import Providers
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.voice.recording import Recording

LOCAL = "local"


class SpeechToText(Protocol):
    name: str  # "local" or the provider profile's name
    model: str

    @property
    def where(self) -> str:
        """Where the audio goes, for the user ("on this computer", "sent to …")."""
        ...

    async def transcribe(
        self,
        audio: Audio,
        *,
        language: str | None = None,
        original: tuple[str, bytes, str] | None = None,
    ) -> str: ...


@dataclass(frozen=True)
class Transcript:
    text: str
    engine: str  # "local" or the provider's name
    model: str
    audio_seconds: float
    seconds: float  # how long transcribing took
    notes: tuple[str, ...] = ()  # what the user should know (a file cut at the longest length)


class Voice:
    """Voice for the window and the command line. `settings` gives the [voice] section in use
    at each call (Preferences change it)."""

    def __init__(
        self,
        settings: Callable[[], VoiceSettings],
        providers: Providers,
        models_folder: Path,
        runtimes: Extras | None = None,
    ) -> None:
        self._settings = settings
        self._providers = providers
        self.models = ModelStore(models_folder)
        # what local speech and audio files need, installed on demand (the core's extras)
        self.runtimes = runtimes or Extras()
        self._engines: dict[tuple[str, str], SpeechToText] = {}

    def engine(self, provider: str | None = None, model: str | None = None) -> SpeechToText:
        """The engine a transcription uses: the one named, else the settings'."""
        settings = self._settings()
        name = provider or settings.stt_provider or LOCAL
        chosen = model if model is not None else settings.stt_model
        key = (name, chosen)
        if key not in self._engines:
            self._engines[key] = self._made(name, chosen)
        return self._engines[key]

    async def microphones(self) -> list[str]:
        """The names of the microphones this computer has now, for Preferences ▸ Voice.
        Raises `VoiceError` when PortAudio is missing."""
        from chatdesk.core.voice.recording import input_devices

        return [device.name for device in await asyncio.to_thread(input_devices)]

    def _made(self, name: str, model: str) -> SpeechToText:
        if name == LOCAL:
            from chatdesk.core.voice.local_stt import LocalSpeechToText

            return LocalSpeechToText(self.models.resolve(model))
        from chatdesk.core.voice.provider_stt import ProviderSpeechToText

        return ProviderSpeechToText(self._providers.get(name), model)

    async def transcribe_file(
        self,
        path: str | os.PathLike[str],
        *,
        provider: str | None = None,
        model: str | None = None,
        language: str | None = None,
    ) -> Transcript:
        """The text of the speech in an audio file (WAV, MP3, M4A, OGG, FLAC, WebM)."""
        from chatdesk.core.voice.audio_files import read_audio_file

        engine = self.engine(provider, model)
        limit = self._settings().max_seconds
        read = await read_audio_file(path, limit)
        original = None
        if engine.name != LOCAL and not read.cut:
            data = await asyncio.to_thread(read.path.read_bytes)
            original = (read.kind, data, read.path.name)
        notes = (read.cut_note(limit),) if read.cut else ()
        return await self._run(engine, read.audio, language, original, notes)

    async def transcribe(
        self,
        audio: Audio,
        *,
        provider: str | None = None,
        model: str | None = None,
        language: str | None = None,
    ) -> Transcript:
        """The text of recorded speech."""
        if audio.is_silent():
            raise VoiceError(tr("Nothing was heard: the recording is silent."))
        return await self._run(self.engine(provider, model), audio, language, None, ())

    async def _run(
        self,
        engine: SpeechToText,
        audio: Audio,
        language: str | None,
        original: tuple[str, bytes, str] | None,
        notes: tuple[str, ...],
    ) -> Transcript:
        started = time.perf_counter()
        text = await engine.transcribe(audio, language=language, original=original)
        if not text:
            raise VoiceError(tr("No words were recognized in the audio."))
        elapsed = time.perf_counter() - started
        return Transcript(text, engine.name, engine.model, audio.seconds, elapsed, notes)

    def recording(
        self,
        *,
        stop_at_end_of_speech: bool = False,
        on_level: Callable[[float], None] | None = None,
    ) -> Recording:
        """A recording from the settings' microphone, up to their longest length."""
        from chatdesk.core.voice.recording import Recording

        settings = self._settings()
        return Recording(
            device=settings.input_device,
            max_seconds=settings.max_seconds,
            sensitivity=settings.sensitivity,
            stop_at_end_of_speech=stop_at_end_of_speech,
            on_level=on_level,
        )
