"""Speech: text turned into sound, one protocol (`speech_protocol.py`) and two ways to it, of
which this module makes the one chosen.

`[voice] tts` chooses: `system`, this computer's own voices with nothing downloaded and
nothing sent (`system_voices.py`: espeak-ng on Linux, SAPI on Windows, `say` on macOS), or a
provider profile's name, whose server's `/v1/audio/speech` reads the text (`provider_speech.py`).
Each renders one sentence to `Sound` off the event loop (a child process, a thread, or the
network), bounded by a timeout, and fails with a `SpeechFailed` that says what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.voice.speech_protocol import Speech


def make_speech(settings: VoiceSettings, providers: Providers) -> Speech:
    """The way `[voice] tts` names, with its voice, rate and volume."""
    if settings.tts == "system":
        from chatdesk.core.voice.system_voices import system_speech

        return system_speech(settings)
    from chatdesk.core.voice.provider_speech import ProviderSpeech

    return ProviderSpeech.for_profile(settings, providers)
