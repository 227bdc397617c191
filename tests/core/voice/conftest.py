"""The real parts the voice tests use: espeak-ng (a real synthesizer), a real PulseAudio server
with a null sink whose monitor a test records (tests/core/voice_parts.py), and a real
OpenAI-compatible speech server on 127.0.0.1 that answers with espeak-ng's WAV. Outside CI a
missing part skips its tests with the reason; in CI (`CI=true`) it fails them
(`.ci/install-debian-parts` installs them)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.core.sse_server import FakeOpenAI, _Handler
from tests.core.voice_parts import Pulse, need, start_pulse, stop_pulse

RATE = 22_050  # espeak-ng's rate, and the null sink's


def espeak_wav(text: str, *, speed: int = 175) -> bytes:
    """A real synthesizer's WAV of `text`."""
    program = need("espeak-ng")
    done = subprocess.run(
        [program, "--stdout", "-s", str(speed)], input=text.encode(), capture_output=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def espeak() -> str:
    return need("espeak-ng")


# -- a speech server -----------------------------------------------------------------------------


class _SpeechHandler(_Handler):
    def do_POST(self) -> None:
        if not self.path.endswith("/audio/speech") or self._fake.replies:
            super().do_POST()  # a queued reply: an error the test scripts
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self._record(body)
        audio = espeak_wav(body["input"])
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(audio)))
        self.end_headers()
        self.wfile.write(audio)


class FakeSpeech(FakeOpenAI):
    """An OpenAI-compatible server whose /v1/audio/speech reads the input with espeak-ng,
    recording each request (model, voice, input)."""

    def __init__(self) -> None:
        super().__init__()
        self._server.RequestHandlerClass = _SpeechHandler


@pytest.fixture
def speech_server(espeak: str) -> Iterator[FakeSpeech]:
    server = FakeSpeech().start()
    yield server
    server.close()


# -- a sound server ------------------------------------------------------------------------------


@pytest.fixture
def null_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pulse]:
    """A PulseAudio server whose default sink is a null sink at RATE; PULSE_SERVER points at
    it (PortAudio reads it through ALSA's plugin)."""
    need("parec")
    pulse = start_pulse(tmp_path_factory.mktemp("pulse"), rate=RATE)
    previous = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = pulse.server
    try:
        yield pulse
    finally:
        if previous is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = previous
        stop_pulse(pulse)
