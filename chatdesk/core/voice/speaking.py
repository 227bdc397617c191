"""What the window and the command line call to hear text: the speech `[voice]` chooses, an
answer's speakable sentences, a reader that plays them, a whole text rendered to one sound."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.voice.sound import Sound, joined
from chatdesk.core.voice.speakable import sentences
from chatdesk.core.voice.speech import make_speech
from chatdesk.core.voice.speech_protocol import Speech, SpeechFailed, Voice

if TYPE_CHECKING:
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.voice.playback import Output
    from chatdesk.core.voice.reading import GrowingAnswer, ReadAloud, ReadingEvent


class Speaking:
    def __init__(self, settings: VoiceSettings, providers: Providers) -> None:
        self.settings = settings
        self._providers = providers

    def update(self, settings: VoiceSettings) -> None:
        """New `[voice]` settings, for the next reading."""
        self.settings = settings

    def speech(self, voice: str | None = None) -> Speech:
        """The way `[voice] tts` names, with `voice` rather than `[voice] tts_voice` if given."""
        settings = self.settings
        if voice is not None:
            settings = dataclasses.replace(settings, tts_voice=voice)
        return make_speech(settings, self._providers)

    async def voices(self) -> list[Voice]:
        return await self.speech().voices()

    def sentences(self, markdown: str) -> list[str]:
        """The answer's sentences as they are read (`[voice] read_code`)."""
        return sentences(markdown, read_code=self.settings.read_code)

    def reading(self, markdown: str) -> AsyncIterator[str]:
        """The answer's sentences for `ReadAloud.start`, worked out as they are read: however
        long the answer, the loop runs on and its first sentence is heard soon."""
        from chatdesk.core.voice.reading import stepped

        return stepped(markdown, read_code=self.settings.read_code)

    async def render(self, markdown: str, voice: str | None = None) -> Sound:
        """The whole text, read as an answer is, as one sound."""
        speech = self.speech(voice)
        said = self.sentences(markdown)
        if not said:
            raise SpeechFailed(tr("There is nothing to read aloud: the text has no words."))
        return joined([await speech.render(sentence) for sentence in said])

    def reader(
        self,
        on_event: Callable[[ReadingEvent], None],
        output: Output | None = None,
        voice: str | None = None,
    ) -> ReadAloud:
        """A reader playing through `output` (the system's sound output when None)."""
        from chatdesk.core.voice.playback import DeviceOutput
        from chatdesk.core.voice.reading import ReadAloud

        return ReadAloud(self.speech(voice), output or DeviceOutput(), on_event)

    def growing_answer(self) -> GrowingAnswer:
        """The sentences of an answer still being written, for `ReadAloud.start`."""
        from chatdesk.core.voice.reading import GrowingAnswer

        return GrowingAnswer(read_code=self.settings.read_code)
