"""Speech to text through a provider profile's POST /audio/transcriptions (OpenAI, Groq,
whisper.cpp's server, speaches, LocalAI): the audio goes to that server, nowhere else.

A file goes up as the bytes it has (the server decodes it, and a compressed file stays small);
a recording, or a file cut at the longest length, goes up as a 16 kHz WAV made in memory.
"""

from __future__ import annotations

from chatdesk.core.i18n import tr
from chatdesk.core.providers.base import Provider, ProviderError
from chatdesk.core.voice.audio import Audio, VoiceError

DEFAULT_MODEL = "whisper-1"
# Seconds for the server to send the transcript back: a minute, plus a second for each ten
# seconds of speech (a slow local server on a long recording).
BASE_TIMEOUT = 60.0

_MEDIA_TYPES = {
    "WAV": "audio/wav",
    "MP3": "audio/mpeg",
    "M4A": "audio/mp4",
    "OGG": "audio/ogg",
    "FLAC": "audio/flac",
    "WebM": "audio/webm",
}


class ProviderSpeechToText:
    """One provider's transcription model."""

    def __init__(self, provider: Provider, model: str, *, timeout: float | None = None) -> None:
        self.provider = provider
        self.model = model or DEFAULT_MODEL
        self.timeout = timeout
        self.name = provider.name

    @property
    def where(self) -> str:
        return tr("sent to {name}", name=self.provider.name)

    async def transcribe(
        self,
        audio: Audio,
        *,
        language: str | None = None,
        original: tuple[str, bytes, str] | None = None,
    ) -> str:
        """The text of `audio`; `original` is (kind, bytes, file name) of the file it was
        decoded from, sent instead of a WAV when given."""
        method = getattr(self.provider, "transcribe", None)
        if not callable(method):
            raise VoiceError(
                tr(
                    "{name} cannot transcribe speech. Choose another in Preferences ▸ Voice or "
                    "[voice] stt_provider.",
                    name=self.provider.name,
                )
            )
        if original is not None:
            kind, data, file_name = original
            upload = (file_name, data, _MEDIA_TYPES.get(kind, "application/octet-stream"))
        else:
            upload = ("speech.wav", audio.wav_bytes(), "audio/wav")
        timeout = self.timeout or BASE_TIMEOUT + audio.seconds / 10
        try:
            text: str = await method(self.model, upload, language, timeout)
        except ProviderError as error:
            raise VoiceError(
                tr(
                    "Could not transcribe with {model} on {name}: {error}",
                    model=self.model,
                    name=self.provider.name,
                    error=error,
                )
            ) from error
        return text.strip()
