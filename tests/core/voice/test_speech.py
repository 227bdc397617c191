"""Speech, for real: espeak-ng renders sentences to sound, a provider's /v1/audio/speech on a
real server on 127.0.0.1 reads what chatdesk sends, and failures say what to do."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import pytest

from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.settings_outside import VoiceSettings
from chatdesk.core.voice.provider_speech import ProviderSpeech
from chatdesk.core.voice.sound import Sound, SoundUnreadable, from_wav, joined
from chatdesk.core.voice.speaking import Speaking
from chatdesk.core.voice.speech import make_speech
from chatdesk.core.voice.speech_engine import run_engine
from chatdesk.core.voice.speech_protocol import SpeechFailed
from chatdesk.core.voice.system_voices import EspeakSpeech
from tests.core.sse_server import error_reply
from tests.core.voice.conftest import FakeSpeech, espeak_wav

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

SILENCE = 30.0  # RMS of 16-bit samples below which a sound is taken for silence


@pytest.mark.asyncio
async def test_espeak_renders_a_sentence_with_sound(espeak: str) -> None:
    audio = await EspeakSpeech().render("Hello, this is chatdesk reading an answer.")
    assert audio.rate == 22_050
    assert audio.channels == 1
    assert 1.0 < audio.seconds < 10.0
    assert audio.rms() > SILENCE * 10


@pytest.mark.asyncio
async def test_a_longer_text_and_a_slower_rate_take_longer(espeak: str) -> None:
    short = await EspeakSpeech().render("A short sentence.")
    longer = await EspeakSpeech().render("A short sentence, and then quite a few more words.")
    slower = await EspeakSpeech(rate=0.5).render("A short sentence.")
    faster = await EspeakSpeech(rate=2.0).render("A short sentence.")
    assert longer.seconds > short.seconds * 1.5
    assert slower.seconds > short.seconds * 1.4
    assert faster.seconds < short.seconds * 0.8


@pytest.mark.asyncio
async def test_volume_makes_it_quieter_and_a_voice_is_chosen_by_its_id(espeak: str) -> None:
    loud = await EspeakSpeech().render("Volume check.")
    quiet = await EspeakSpeech(volume=0.3).render("Volume check.")
    assert quiet.rms() < loud.rms() * 0.6
    voices = await EspeakSpeech().voices()
    assert any(voice.id == "de" for voice in voices)
    german = await EspeakSpeech(voice="de").render("Guten Tag.")
    assert german.rms() > SILENCE


@pytest.mark.asyncio
async def test_a_missing_engine_says_which_package_to_install(
    espeak: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # a system without espeak-ng
    with pytest.raises(SpeechFailed, match="Install espeak-ng"):
        await EspeakSpeech().render("Hello.")


@pytest.mark.asyncio
@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX program that hangs")
async def test_a_hung_engine_is_stopped_after_its_time() -> None:
    with pytest.raises(SpeechFailed, match="did not answer within"):
        await run_engine(["sleep", "30"], "", limit=0.2)


def test_wav_is_read_even_when_the_server_streams_it() -> None:
    audio = from_wav(espeak_wav("Stream."))  # espeak-ng leaves the sizes unset, as streams do
    assert audio.rms() > SILENCE
    again = from_wav(audio.wav())
    assert again == audio
    assert joined([audio, audio]).seconds == pytest.approx(2 * audio.seconds)
    with pytest.raises(SoundUnreadable):
        from_wav(b"ID3 an mp3 file")
    eight_bit = bytearray(audio.wav())
    eight_bit[34] = 8
    with pytest.raises(SoundUnreadable, match="8-bit"):
        from_wav(bytes(eight_bit))


# -- a provider's voice --------------------------------------------------------------------------


def voice_settings(tts: str, **changed: object) -> VoiceSettings:
    return dataclasses.replace(VoiceSettings(), tts=tts, **changed)  # type: ignore[arg-type]


def providers_at(server: FakeSpeech) -> Providers:
    profile = ProviderProfile("speaker", server.url, default_model="m", context_window=4096)
    return Providers({"speaker": OpenAICompatibleProvider(profile)})


@pytest.mark.asyncio
async def test_a_provider_reads_the_speakable_text_not_the_markdown(
    speech_server: FakeSpeech,
) -> None:
    providers = providers_at(speech_server)
    settings = voice_settings("speaker", tts_voice="nova", tts_rate=1.25, tts_model="tts-x")
    speaking = Speaking(settings, providers)
    try:
        audio = await speaking.render("# Hello\n\nRead **this** [link](https://x.example/a).")
    finally:
        await providers.aclose()
    bodies = [r.body for r in speech_server.requests if r.path == "/v1/audio/speech"]
    assert [body["input"] for body in bodies] == ["Hello.", "Read this link."]
    assert {(b["model"], b["voice"], b["speed"], b["response_format"]) for b in bodies} == {
        ("tts-x", "nova", 1.25, "wav")
    }
    assert audio.seconds > 1.0
    assert audio.rms() > SILENCE


@pytest.mark.asyncio
async def test_a_refusing_server_is_a_failure_in_words(speech_server: FakeSpeech) -> None:
    providers = providers_at(speech_server)
    speech_server.queue(error_reply(401, "Incorrect API key provided.", code="invalid_api_key"))
    speech = make_speech(voice_settings("speaker"), providers)
    try:
        with pytest.raises(SpeechFailed, match="speaker could not read aloud") as raised:
            await speech.render("Hello.")
    finally:
        await providers.aclose()
    assert "key" in str(raised.value).lower()


def test_an_unknown_profile_says_where_to_choose_another() -> None:
    with pytest.raises(SpeechFailed, match="Preferences ▸ Voice"):
        ProviderSpeech.for_profile(voice_settings("nobody"), Providers({}))


@pytest.mark.asyncio
async def test_provider_voices_are_openais() -> None:
    profile = ProviderProfile("p", "http://127.0.0.1:9/v1", default_model="m")
    speech = ProviderSpeech(OpenAICompatibleProvider(profile))
    assert "alloy" in [voice.id for voice in await speech.voices()]


def test_the_system_voice_is_espeak_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux's system voice")
    assert make_speech(voice_settings("system"), Providers({})).name == "espeak-ng"


def test_audio_written_is_a_wav_file(tmp_path: Path) -> None:
    audio = Sound(b"\x01\x00" * 100, 8_000)
    target = tmp_path / "a.wav"
    target.write_bytes(audio.wav())
    assert from_wav(target.read_bytes()) == audio
    assert os.path.getsize(target) == 44 + 200
