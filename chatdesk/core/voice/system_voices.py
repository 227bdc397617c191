"""This computer's own voices, nothing downloaded and nothing sent (the choice is explained in
docs/decisions/0065-reading-aloud.md).

- Linux (and wherever it is installed): espeak-ng, run as a child process that writes WAV.
- macOS: `say`, the system's speech synthesizer (AVSpeechSynthesizer's voices), writing WAV.
- Windows: SAPI through pyttsx3, on a thread of its own (COM wants one thread).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.voice.sound import Sound, from_wav
from chatdesk.core.voice.speech_engine import run_engine
from chatdesk.core.voice.speech_protocol import RENDER_TIMEOUT, Speech, SpeechFailed, Voice

if TYPE_CHECKING:
    from chatdesk.core.settings_outside import VoiceSettings

ESPEAK_WORDS_PER_MINUTE = 175  # espeak-ng's normal rate
SAY_WORDS_PER_MINUTE = 180


def system_speech(settings: VoiceSettings) -> Speech:
    """The system's own way to speak on this computer."""
    if sys.platform == "win32":
        from chatdesk.core.voice.sapi import SapiSpeech

        return SapiSpeech(settings.tts_voice, settings.tts_rate, settings.tts_volume)
    else:  # an else: each platform's type check reads only its own branch
        kind = SaySpeech if sys.platform == "darwin" and shutil.which("say") else EspeakSpeech
        return kind(settings.tts_voice, settings.tts_rate, settings.tts_volume)


def no_engine() -> SpeechFailed:
    return SpeechFailed(
        tr(
            "No voice is installed to read aloud. Install espeak-ng (on Debian and Ubuntu: "
            "sudo apt install espeak-ng; on Fedora: sudo dnf install espeak-ng), or choose a "
            "provider to read aloud in Preferences ▸ Voice."
        )
    )


class EspeakSpeech:
    """espeak-ng: small, fast, in every Linux distribution, a voice for about 130 languages."""

    def __init__(self, voice: str = "", rate: float = 1.0, volume: float = 1.0) -> None:
        self.voice = voice
        self.rate = rate
        self.volume = volume

    @property
    def name(self) -> str:
        return "espeak-ng"

    def _program(self) -> str:
        found = shutil.which("espeak-ng") or shutil.which("espeak")
        if found is None:
            raise no_engine()
        return found

    async def render(self, text: str) -> Sound:
        argv = [self._program(), "--stdout", "-b", "1"]  # -b 1: the text is UTF-8
        argv += ["-s", str(round(ESPEAK_WORDS_PER_MINUTE * self.rate))]
        argv += ["-a", str(round(100 * self.volume))]
        if self.voice:
            argv += ["-v", self.voice]
        return from_wav(await run_engine(argv, text))

    async def voices(self) -> list[Voice]:
        listing = await run_engine([self._program(), "--voices"], "")
        found = []
        for line in listing.decode(errors="replace").splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 4:
                found.append(Voice(fields[1], fields[3].replace("_", " "), fields[1]))
        return found


class SaySpeech:
    """macOS's `say`: the voices of System Settings ▸ Accessibility ▸ Spoken Content."""

    def __init__(self, voice: str = "", rate: float = 1.0, volume: float = 1.0) -> None:
        self.voice = voice
        self.rate = rate
        self.volume = volume

    @property
    def name(self) -> str:
        return tr("the system's voice")

    async def render(self, text: str) -> Sound:
        with tempfile.TemporaryDirectory(prefix="chatdesk-say-") as folder:
            target = os.path.join(folder, "said.wav")
            argv = ["say", "-o", target, "--data-format=LEI16@22050"]
            argv += ["-r", str(round(SAY_WORDS_PER_MINUTE * self.rate))]
            if self.voice:
                argv += ["-v", self.voice]
            await run_engine([*argv, "-f", "-"], text)
            data = await asyncio.to_thread(Path(target).read_bytes)
        return from_wav(data).louder(self.volume)

    async def voices(self) -> list[Voice]:
        listing = await run_engine(["say", "-v", "?"], "", RENDER_TIMEOUT)
        found = []
        for line in listing.decode(errors="replace").splitlines():
            described, _, _ = line.partition("#")
            fields = described.split()
            if len(fields) >= 2:
                name = " ".join(fields[:-1])
                found.append(Voice(name, name, fields[-1]))
        return found
