"""`chatdesk speak`, run as a user runs it: a text or a chat's message written to a WAV file
by the system's voice, the voices listed, and what cannot be done said in words."""

from __future__ import annotations

from pathlib import Path

from chatdesk.core.voice.sound import from_wav
from tests.core.voice_parts import need
from tests.e2e.cli import chatdesk, chatdesk_json


def test_speak_writes_the_words_of_markdown_to_a_wav_file(tmp_path: Path) -> None:
    need("espeak-ng")
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    result = chatdesk("speak", "# Hello", "-o", str(short))
    assert result.returncode == 0, result.stderr
    assert "seconds of speech" in result.stderr
    said = "# Hello\n\nThis is **chatdesk**, reading [an answer](https://example.com) aloud."
    assert chatdesk("speak", said, "-o", str(long)).returncode == 0
    heard, longer = from_wav(short.read_bytes()), from_wav(long.read_bytes())
    assert heard.rms() > 300
    assert longer.seconds > 2 * heard.seconds


def test_speak_reads_a_message_of_a_chat(tmp_path: Path) -> None:
    need("espeak-ng")
    assert chatdesk("ask", "What is a B-tree?").returncode == 0
    [thread] = chatdesk_json("threads", "list")
    shown = chatdesk_json("threads", "show", thread["id"])
    answer = shown["messages"][-1]
    target = tmp_path / "answer.wav"
    result = chatdesk("speak", "--message", answer["id"], "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert from_wav(target.read_bytes()).seconds > 1.0


def test_speak_lists_the_voices() -> None:
    need("espeak-ng")
    result = chatdesk("speak", "--voices")
    assert result.returncode == 0, result.stderr
    assert any(line.split()[0] == "en-us" for line in result.stdout.splitlines() if line)


def test_speak_says_what_is_missing() -> None:
    result = chatdesk("speak")
    assert result.returncode == 2
    assert "Give the text to read" in result.stderr
    result = chatdesk("speak", "--message", "not-an-id")
    assert result.returncode == 2
    assert "is not a message id" in result.stderr


def test_speak_says_when_the_file_cannot_be_written() -> None:
    need("espeak-ng")
    result = chatdesk("speak", "```\ncode is announced\n```", "-o", "/nonexistent/x.wav")
    assert result.returncode == 1
    assert "Could not write /nonexistent/x.wav" in result.stderr
    assert "Traceback" not in result.stderr
