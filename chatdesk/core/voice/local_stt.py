"""Speech to text on this computer with faster-whisper (CTranslate2 on the CPU; decision
0062): the audio never leaves the machine.

The model is loaded once, in a worker thread, on the first transcription, and kept for the
next; transcribing runs in a worker thread too, never on the event loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.core.i18n import tr
from chatdesk.core.voice.audio import Audio, VoiceError
from chatdesk.core.voice.runtime import LOCAL_SPEECH, how_to_get

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


class LocalSpeechToText:
    """faster-whisper with the model in `folder`, on the CPU in 8-bit integers."""

    def __init__(self, folder: Path, *, threads: int | None = None) -> None:
        self.folder = folder
        self.name = "local"
        self.model = folder.name
        self._threads = threads or max(1, min(4, (os.cpu_count() or 2)))
        self._loaded: WhisperModel | None = None
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return tr("on this computer")

    async def load(self) -> None:
        """Load the model now (the first transcription does it otherwise)."""
        await asyncio.to_thread(self._model)

    async def transcribe(
        self, audio: Audio, *, language: str | None = None, original: object = None
    ) -> str:
        return await asyncio.to_thread(self.transcribe_now, audio, language)

    def transcribe_now(self, audio: Audio, language: str | None = None) -> str:
        """What `transcribe` does, in the calling thread."""
        model = self._model()
        options: dict[str, Any] = {"beam_size": 5, "condition_on_previous_text": False}
        if language:
            options["language"] = language
        try:
            segments, _info = model.transcribe(audio.samples, **options)
            return " ".join(segment.text.strip() for segment in segments).strip()
        except (RuntimeError, ValueError) as error:
            raise VoiceError(tr("The local speech model failed: {error}", error=error)) from None

    def _model(self) -> WhisperModel:
        with self._lock:
            if self._loaded is None:
                self._loaded = _load(self.folder, self._threads)
            return self._loaded


def _load(folder: Path, threads: int) -> WhisperModel:
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise VoiceError(
            tr(
                "Speech to text on this computer is not installed. {how}",
                how=how_to_get(LOCAL_SPEECH),
            )
        ) from None
    try:
        return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads)
    except (RuntimeError, ValueError, OSError) as error:
        raise VoiceError(
            tr(
                "The speech model in {folder} could not be loaded ({error}). Download it again "
                "with `chatdesk voice models --download NAME`.",
                folder=str(folder),
                error=error,
            )
        ) from None
