"""Windows' own voices (SAPI 5) through pyttsx3, which drives them over COM.

COM objects belong to the thread that made them, so one thread of its own makes the engine and
renders every sentence to a WAV file, one after another. A render that hangs past the timeout
is given up on; the engine's thread is then replaced.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from chatdesk.core.i18n import tr
from chatdesk.core.voice.sound import Sound, from_wav
from chatdesk.core.voice.speech_protocol import RENDER_TIMEOUT, SpeechFailed, Voice

SAPI_WORDS_PER_MINUTE = 200  # pyttsx3's normal rate for SAPI


class SapiSpeech:
    def __init__(self, voice: str = "", rate: float = 1.0, volume: float = 1.0) -> None:
        self.voice = voice
        self.rate = rate
        self.volume = volume
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-sapi")
        self._engine: Any = None

    @property
    def name(self) -> str:
        return tr("the system's voice")

    async def render(self, text: str) -> Sound:
        return from_wav(await self._off(self._render, text))

    async def voices(self) -> list[Voice]:
        found: list[Voice] = await self._off(self._voices)
        return found

    async def _off(self, work: Any, *args: object) -> Any:
        future = asyncio.get_running_loop().run_in_executor(self._thread, work, *args)
        try:
            return await asyncio.wait_for(future, RENDER_TIMEOUT)
        except TimeoutError:
            self._thread.shutdown(wait=False)  # the hung engine's thread is left to itself
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-sapi")
            self._engine = None
            raise SpeechFailed(
                tr(
                    "Windows' voice did not answer within {seconds} seconds and was stopped.",
                    seconds=round(RENDER_TIMEOUT),
                )
            ) from None

    def _ready(self) -> Any:
        if self._engine is None:
            try:
                pyttsx3 = importlib.import_module("pyttsx3")
                self._engine = pyttsx3.init("sapi5")
            except Exception as error:  # no SAPI, or pyttsx3 missing from the installation
                raise SpeechFailed(
                    tr(
                        "Windows' voices could not be used ({error}). Reinstall chatdesk, or "
                        "choose a provider to read aloud in Preferences ▸ Voice.",
                        error=error,
                    )
                ) from None
        engine = self._engine
        if self.voice:
            engine.setProperty("voice", self.voice)
        engine.setProperty("rate", round(SAPI_WORDS_PER_MINUTE * self.rate))
        engine.setProperty("volume", self.volume)
        return engine

    def _render(self, text: str) -> bytes:
        engine = self._ready()
        with tempfile.TemporaryDirectory(prefix="chatdesk-sapi-") as folder:
            target = os.path.join(folder, "said.wav")
            engine.save_to_file(text, target)
            engine.runAndWait()
            return Path(target).read_bytes()

    def _voices(self) -> list[Voice]:
        engine = self._ready()
        found = []
        for voice in engine.getProperty("voices"):
            languages = [str(language) for language in getattr(voice, "languages", [])]
            found.append(Voice(str(voice.id), str(voice.name), ", ".join(languages)))
        return found
