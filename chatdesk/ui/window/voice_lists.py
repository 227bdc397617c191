"""Preferences ▸ Voice's lists, filled when the page is made: the microphones this computer has
and the voices of the engine that reads aloud, each asked off the GUI thread. A list that
cannot be had (no PortAudio, no voice engine) leaves the field as it is, where a name can
still be typed; the reason is what recording or reading aloud will say when used."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.core.errors import ChatdeskError

if TYPE_CHECKING:
    from chatdesk.core.voice.speaking import Speaking
    from chatdesk.core.voice.transcribe import Voice
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.settings.voice_page import VoicePage


def fill_voice_lists(
    page: VoicePage, runner: Runner, voice: Callable[[], Voice], speaking: Callable[[], Speaking]
) -> None:
    """Ask for the page's lists; each fills its field when it comes (unless the page is gone)."""
    microphones = voice().microphones()
    runner.run(microphones, done=page.set_microphones, failure=_kept, owner=page, quiet=True)
    runner.run(_voices(speaking()), done=page.set_voices, failure=_kept, owner=page, quiet=True)


async def _voices(speaking: Speaking) -> list[str]:
    return [voice.id for voice in await speaking.voices()]


def _kept(error: ChatdeskError) -> None:
    """No list: the field keeps its name, and says nothing more here."""
