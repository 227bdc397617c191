"""`chatdesk transcribe`, `ask --voice-in` and `voice models` run as a user would: the real
command in a subprocess, espeak-ng's speech, a real transcription server and a real model hub
on 127.0.0.1."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.model_hub import ModelHub
from tests.core.voice_parts import Answer, TranscriptionServer, encode, speak, transcription_server
from tests.core.whisper_model import shipped_model
from tests.e2e.cli import chatdesk, chatdesk_json

__all__ = ["transcription_server"]  # the fixture, used by name


@pytest.fixture
def speech(tmp_path: Path) -> Path:
    return speak(tmp_path)


def add_profile(server: TranscriptionServer) -> None:
    chatdesk_json("providers", "add", "whisperhost", "--preset", "ollama", "--base-url", server.url)


def set_voice(home: Path, text: str) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")


def test_transcribe_sends_the_file_to_the_named_profile_and_prints_the_text(
    transcription_server: TranscriptionServer, chatdesk_home: Path, speech: Path
) -> None:
    add_profile(transcription_server)
    webm = encode(speech, "webm")
    transcription_server.answers.append(Answer(text="Book a table for two."))
    done = chatdesk("transcribe", str(webm), "--provider", "whisperhost", "--model", "w-large")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Book a table for two.\n"
    assert "sent to whisperhost" in done.stderr  # said before the audio goes
    [upload] = transcription_server.uploads
    assert upload.file_bytes == webm.read_bytes()
    assert upload.fields["model"] == "w-large"


def test_ask_voice_in_sends_the_transcript_as_the_message(
    transcription_server: TranscriptionServer, chatdesk_home: Path, speech: Path
) -> None:
    add_profile(transcription_server)
    set_voice(chatdesk_home, '[voice]\nstt_provider = "whisperhost"\nstt_model = "small"\n')
    transcription_server.answers.append(Answer(text="What is the capital of France?"))
    done = chatdesk("ask", "--voice-in", str(speech), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "complete"
    shown = chatdesk_json("threads", "show", answer["thread_id"])
    assert shown["messages"][0]["content"] == "What is the capital of France?"
    assert transcription_server.uploads[0].fields["model"] == "small"
    both = chatdesk("ask", "typed too", "--voice-in", str(speech))
    assert both.returncode != 0
    assert "not both" in both.stderr


def test_bad_audio_is_refused_in_words_and_nothing_is_sent(
    transcription_server: TranscriptionServer, chatdesk_home: Path, tmp_path: Path
) -> None:
    add_profile(transcription_server)
    noise = tmp_path / "song.mp3"
    noise.write_bytes(os.urandom(4096).replace(b"\xff", b"\x00"))
    done = chatdesk("transcribe", str(noise), "--provider", "whisperhost")
    assert done.returncode == 1
    assert "song.mp3 is not an audio file chatdesk can read" in done.stderr
    asked = chatdesk("ask", "--voice-in", str(noise))
    assert asked.returncode == 1
    assert not transcription_server.uploads


@pytest.fixture
def hub() -> Iterator[ModelHub]:
    served = ModelHub("Systran/faster-whisper-tiny.en", shipped_model()).start()
    yield served
    served.close()


@pytest.mark.slow("a real model downloaded from a local hub and loaded by Whisper to transcribe")
def test_a_local_model_is_downloaded_on_request_and_transcribes_here(
    hub: ModelHub, chatdesk_home: Path, speech: Path
) -> None:
    listed = chatdesk_json("voice", "models")
    assert {m["name"]: m["downloaded"] for m in listed}["tiny.en"] is False
    missing = chatdesk("transcribe", str(speech), "--provider", "local", "--model", "tiny.en")
    assert missing.returncode == 1
    assert "voice models --download tiny.en" in missing.stderr
    env = {"CHATDESK_MODEL_HUB": hub.url}
    fetched = chatdesk("voice", "models", "--download", "tiny.en", env=env, timeout=300)
    assert fetched.returncode == 0, fetched.stderr
    assert "Downloading tiny.en (78 MB)" in fetched.stderr
    heard = chatdesk(
        "transcribe",
        str(speech),
        "--provider",
        "local",
        "--model",
        "tiny.en",
        "--json",
        timeout=300,
    )
    assert heard.returncode == 0, heard.stderr
    assert "table" in json.loads(heard.stdout)["text"].lower()
    assert "on this computer" in heard.stderr
    assert chatdesk("voice", "models", "--remove", "tiny.en").returncode == 0
    assert not any(m["downloaded"] for m in chatdesk_json("voice", "models"))
