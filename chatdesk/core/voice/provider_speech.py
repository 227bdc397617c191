"""A provider's voices: its server's `/v1/audio/speech` (OpenAI's, or any server that speaks
the same API: speaches, LocalAI, Kokoro-FastAPI …), through the openai SDK with the profile's
address and key. The sentence's text is sent to that server, which `[voice] tts` says."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.providers.base import ProviderError
from chatdesk.core.providers.sdk import ready_client
from chatdesk.core.voice.sound import Sound, SoundUnreadable, from_wav
from chatdesk.core.voice.speech_protocol import RENDER_TIMEOUT, SpeechFailed, Voice

if TYPE_CHECKING:
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
    from chatdesk.core.settings_outside import VoiceSettings

DEFAULT_MODEL = "tts-1"
DEFAULT_VOICE = "alloy"
# The API has no list of voices; these are OpenAI's, which compatible servers mostly accept.
OPENAI_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "nova",
    "onyx",
    "sage",
    "shimmer",
    "verse",
)


class ProviderSpeech:
    def __init__(
        self,
        provider: OpenAICompatibleProvider,
        *,
        model: str = "",
        voice: str = "",
        rate: float = 1.0,
        volume: float = 1.0,
    ) -> None:
        self.provider = provider
        self.model = model or DEFAULT_MODEL
        self.voice = voice or DEFAULT_VOICE
        self.rate = rate
        self.volume = volume

    @classmethod
    def for_profile(cls, settings: VoiceSettings, providers: Providers) -> ProviderSpeech:
        """The speech of the profile `[voice] tts` names."""
        from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider

        try:
            provider = providers.get(settings.tts)
        except ProviderError as error:
            raise SpeechFailed(
                tr(
                    "Answers are to be read aloud by {name}, but {error} Choose another in "
                    "Preferences ▸ Voice.",
                    name=settings.tts,
                    error=error,
                )
            ) from None
        if not isinstance(provider, OpenAICompatibleProvider):
            raise SpeechFailed(
                tr(
                    "{name} cannot read aloud: only an OpenAI-compatible server can. Choose "
                    "another in Preferences ▸ Voice.",
                    name=settings.tts,
                )
            )
        return cls(
            provider,
            model=settings.tts_model,
            voice=settings.tts_voice,
            rate=settings.tts_rate,
            volume=settings.tts_volume,
        )

    @property
    def name(self) -> str:
        return self.provider.name

    async def render(self, text: str) -> Sound:
        try:
            async with asyncio.timeout(RENDER_TIMEOUT):
                reply = await (await ready_client(self.provider)).audio.speech.create(
                    model=self.model,
                    voice=self.voice,
                    input=text,
                    response_format="wav",
                    speed=self.rate,
                )
                data = await reply.aread()
        except TimeoutError:
            raise self._failed(
                tr(
                    "{host} did not read the text aloud within {seconds} seconds.",
                    host=self.provider.profile.host,
                    seconds=round(RENDER_TIMEOUT),
                )
            ) from None
        except Exception as error:
            failure = self.provider.failure(error, model=self.model, mid_answer=False)
            if not isinstance(failure, ProviderError):
                raise
            raise self._failed(f"{failure} {failure.hint}".strip()) from None
        try:
            return from_wav(data).louder(self.volume)
        except SoundUnreadable as error:
            raise self._failed(
                tr(
                    "{host} sent back sound chatdesk cannot play: {error}",
                    host=self.provider.profile.host,
                    error=error,
                )
            ) from None

    async def voices(self) -> list[Voice]:
        return [Voice(name, name) for name in OPENAI_VOICES]

    def _failed(self, said: str) -> SpeechFailed:
        return SpeechFailed(
            tr("{name} could not read aloud: {error}", name=self.provider.name, error=said)
        )
