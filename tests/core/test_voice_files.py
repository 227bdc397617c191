"""Audio files in: real speech from espeak-ng in every format, and hostile files, each refused
with words a user can act on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatdesk.core.voice.audio import SAMPLE_RATE, VoiceError
from chatdesk.core.voice.audio_files import decode_file, read_audio_file, sniff
from tests.core.voice_parts import encode, silence_wav, speak

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(tmp_path_factory.mktemp("speech"))


@pytest.mark.parametrize(
    ("suffix", "kind"),
    [("mp3", "MP3"), ("ogg", "OGG"), ("flac", "FLAC"), ("m4a", "M4A"), ("webm", "WebM")],
)
def test_each_format_decodes_to_the_same_speech_at_16_khz(
    speech: Path, tmp_path: Path, suffix: str, kind: str
) -> None:
    wav = decode_file(speech, 300)
    other = decode_file(encode(speech, suffix, tmp_path / f"speech.{suffix}"), 300)
    assert wav.kind == "WAV"
    assert other.kind == kind
    assert not other.cut
    # the same length, give or take the encoder's padding, and as loud
    assert other.audio.seconds == pytest.approx(wav.audio.seconds, abs=0.12)
    assert other.audio.rms() == pytest.approx(wav.audio.rms(), rel=0.2)
    assert other.audio.samples.dtype.name == "float32"


@pytest.mark.asyncio
async def test_decoding_runs_off_the_loop_and_a_misnamed_file_is_read_for_what_it_is(
    speech: Path, tmp_path: Path
) -> None:
    flac_named_mp3 = encode(speech, "flac", tmp_path / "speech.mp3")
    read = await read_audio_file(flac_named_mp3, 300)
    assert read.kind == "FLAC"
    assert read.audio.seconds > 2


def test_a_long_file_is_cut_at_the_longest_length_and_says_so(speech: Path, tmp_path: Path) -> None:
    read = decode_file(speech, 1)
    assert read.cut
    assert len(read.audio.samples) == SAMPLE_RATE
    assert "only its first 1 seconds were transcribed" in read.cut_note(1)
    assert decode_file(speech, 300).cut_note(300) == ""


def test_a_two_hour_file_costs_only_its_first_minutes(tmp_path: Path) -> None:
    long = silence_wav(tmp_path / "two-hours.wav", 2 * 3600, rate=8_000)  # 115 MB of silence
    with pytest.raises(VoiceError, match="is silent"):
        decode_file(long, 5)


def hostile(tmp_path: Path, speech: Path) -> dict[str, Path]:
    data = speech.read_bytes()
    files = {
        "empty.wav": b"",
        "random.mp3": os.urandom(50_000).replace(b"\xff", b"\x00"),
        "truncated.wav": data[:44],
        "header-only.flac": b"fLaC" + b"\0" * 40,
        "text.m4a": b"this is not audio at all, whatever its name says",
    }
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    return paths


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("empty.wav", "is empty"),
        ("random.mp3", "is not an audio file chatdesk can read"),
        ("truncated.wav", "holds no sound chatdesk can read"),
        ("header-only.flac", "could not be decoded"),
        ("text.m4a", "is not an audio file chatdesk can read"),
    ],
)
def test_hostile_files_are_refused_in_words(
    speech: Path, tmp_path: Path, name: str, said: str
) -> None:
    path = hostile(tmp_path, speech)[name]
    with pytest.raises(VoiceError, match=said) as refused:
        decode_file(path, 300)
    assert name in str(refused.value)


def test_silence_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="is silent: there is no speech in it"):
        decode_file(silence_wav(tmp_path / "quiet.wav", 3), 300)
    with pytest.raises(VoiceError, match="There is no file"):
        decode_file(tmp_path / "nowhere.ogg", 300)


def test_an_unknown_codec_is_named_as_such(tmp_path: Path) -> None:
    # A WAV whose format tag (0x5555) no decoder knows, with a second of noise in it.
    data = os.urandom(16_000)
    header = (
        b"RIFF"
        + (36 + len(data)).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (0x5555).to_bytes(2, "little")
        + (1).to_bytes(2, "little")
        + (16_000).to_bytes(4, "little")
        + (16_000).to_bytes(4, "little")
        + (1).to_bytes(2, "little")
        + (8).to_bytes(2, "little")
        + b"data"
        + len(data).to_bytes(4, "little")
    )
    path = tmp_path / "strange.wav"
    path.write_bytes(header + data)
    with pytest.raises(VoiceError, match="uses a codec chatdesk cannot decode"):
        decode_file(path, 300)


def test_the_first_bytes_say_the_format() -> None:
    assert sniff(b"RIFF\0\0\0\0WAVEfmt ") == "WAV"
    assert sniff(b"ID3\4\0") == "MP3"
    assert sniff(b"\xff\xfb\x90\x00") == "MP3"
    assert sniff(b"\0\0\0\x20ftypM4A ") == "M4A"
    assert sniff(b"\x1a\x45\xdf\xa3") == "WebM"
    assert sniff(b"OggS") == "OGG"
    assert sniff(b"fLaC") == "FLAC"
    assert sniff(b"%PDF-1.7") is None
