"""The real parts the voice tests use: espeak-ng (a real synthesizer), a real PulseAudio server
with a null sink whose monitor a test records, and a real OpenAI-compatible speech server on
127.0.0.1 that answers with espeak-ng's WAV. Outside CI a missing part skips its tests with the
reason; in CI (`CI=true`) it fails them (`.ci/install-debian-parts` installs them)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.core.sse_server import FakeOpenAI, _Handler
from tests.core.voice_parts import need

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


@dataclass
class NullSink:
    """A PulseAudio server whose default sink is a null sink; PULSE_SERVER points at it."""

    server: str
    folder: Path

    def record(self) -> subprocess.Popen[bytes]:
        """`parec` recording the sink's monitor, 16-bit mono at RATE, until terminated."""
        return subprocess.Popen(
            [
                need("parec"),
                "--device=chatdesk_test.monitor",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "--latency-msec=20",
            ],
            stdout=subprocess.PIPE,
            env={**os.environ, "PULSE_SERVER": self.server},
        )


@pytest.fixture
def null_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NullSink]:
    program = need("pulseaudio")
    need("parec")
    folder = tmp_path_factory.mktemp("pulse")
    socket = folder / "native"
    script = folder / "default.pa"
    script.write_text(
        f"load-module module-null-sink sink_name=chatdesk_test rate={RATE}\n"
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        "set-default-sink chatdesk_test\n"
    )
    env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder)}
    # Daemonized, pulseaudio returns once the server is ready, its id in its runtime folder.
    started = subprocess.run(
        [program, "-D", "-n", "-F", str(script), "--exit-idle-time=-1", "--use-pid-file=yes"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr.decode(errors="replace")
    pid = int((folder / "pulse" / "pid").read_text().split()[0])
    previous = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = f"unix:{socket}"  # PortAudio reads it through ALSA's plugin
    try:
        yield NullSink(f"unix:{socket}", folder)
    finally:
        if previous is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = previous
        os.kill(pid, signal.SIGTERM)
