"""What every way to speak is (speech.py chooses one): the `Speech` protocol, the `Voice`s it
offers, the `SpeechFailed` it raises, and how long a sentence may take."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from chatdesk.core.errors import ChatdeskError

if TYPE_CHECKING:
    from chatdesk.core.voice.sound import Sound

# A sentence takes an engine well under a second; one that has not answered in this long is
# hung, and is stopped.
RENDER_TIMEOUT = 30.0


class SpeechFailed(ChatdeskError):
    """Text could not be read aloud; the message says why and what to do."""


@dataclass(frozen=True)
class Voice:
    """A voice an engine offers: `id` is what `[voice] tts_voice` names."""

    id: str
    name: str
    language: str = ""


class Speech(Protocol):
    """A way to turn text into sound."""

    @property
    def name(self) -> str:
        """Who reads, as the user knows it: "espeak-ng", a profile's name."""
        ...

    async def render(self, text: str) -> Sound:
        """One sentence (or a few) as sound, at the voice, rate and volume of `[voice]`."""
        ...

    async def voices(self) -> list[Voice]:
        """The voices this way offers."""
        ...
