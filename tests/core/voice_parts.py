"""Real audio for the voice tests: speech from espeak-ng, the same speech encoded as MP3, OGG,
FLAC, M4A and WebM with PyAV, an OpenAI-compatible transcription server on 127.0.0.1 that
records exactly what it was sent, and a PulseAudio server with a null sink to play into.

In CI (CI=true) a missing part fails the test; elsewhere it skips it, saying which part.
"""

from __future__ import annotations

import ctypes.util
import email.parser
import email.policy
import json
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SENTENCE = "Please book a table for two people tomorrow evening."


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} is not installed (.ci/install-debian-parts installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def need_library(name: str, package: str) -> None:
    """The shared library `name` (as ctypes finds it: "portaudio"), else the test skips outside
    CI and fails in it."""
    if ctypes.util.find_library(name) is None:
        message = f"lib{name} is not installed (.ci/install-debian-parts installs {package})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def speak(folder: Path, text: str = SENTENCE, name: str = "speech.wav") -> Path:
    """`text` spoken by espeak-ng into a WAV (22,050 Hz mono), slowly enough to be understood."""
    out = folder / name
    subprocess.run([need("espeak-ng"), "-s", "140", "-w", str(out), text], check=True)
    return out


_CODECS = {  # suffix: (container format, codec, sample rate)
    "mp3": ("mp3", "libmp3lame", 22_050),
    "ogg": ("ogg", "libopus", 48_000),
    "flac": ("flac", "flac", 22_050),
    "m4a": ("mp4", "aac", 22_050),
    "webm": ("webm", "libopus", 48_000),
}


def encode(wav: Path, suffix: str, out: Path | None = None) -> Path:
    """`wav` re-encoded as `suffix` (mp3, ogg, flac, m4a, webm) with PyAV."""
    import av

    container_format, codec, rate = _CODECS[suffix]
    target = out or wav.with_suffix(f".{suffix}")
    with av.open(str(wav)) as source, av.open(str(target), "w", format=container_format) as sink:
        stream = sink.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate)
        for frame in source.decode(audio=0):
            for part in resampler.resample(frame):
                sink.mux(stream.encode(part))
        for part in resampler.resample(None):
            sink.mux(stream.encode(part))
        sink.mux(stream.encode(None))
    return target


def silence_wav(path: Path, seconds: float, rate: int = 16_000) -> Path:
    import wave

    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\0\0" * int(seconds * rate))
    return path


# -- a transcription server ----------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One POST to /v1/audio/transcriptions as it arrived."""

    headers: dict[str, str]
    fields: dict[str, str]  # model, language, response_format ...
    file_name: str
    file_type: str
    file_bytes: bytes


@dataclass
class Answer:
    status: int = 200
    text: str = "a transcript"
    hold: float = 0.0  # seconds to wait before answering


@dataclass
class TranscriptionServer:
    """A real HTTP server answering POST /v1/audio/transcriptions from queued `Answer`s."""

    answers: deque[Answer] = field(default_factory=deque)
    uploads: list[Upload] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> TranscriptionServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.uploads.append(_parsed(dict(self.headers), body))
                answer = owner.answers.popleft() if owner.answers else Answer()
                time.sleep(answer.hold)
                reply = (
                    {"text": answer.text}
                    if answer.status == 200
                    else {"error": {"message": "the model refused this audio", "type": "x"}}
                )
                data = json.dumps(reply).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _parsed(headers: dict[str, str], body: bytes) -> Upload:
    content_type = headers.get("Content-Type") or headers.get("content-type", "")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    file_name = file_type = ""
    file_bytes = b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            file_name, file_type, file_bytes = part.get_filename(), part.get_content_type(), payload
        else:
            fields[str(name)] = payload.decode()
    return Upload(headers, fields, file_name or "", file_type, file_bytes)


@pytest.fixture
def transcription_server() -> Iterator[TranscriptionServer]:
    server = TranscriptionServer().start()
    yield server
    server.close()


# -- PulseAudio --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pulse:
    """A PulseAudio server of the test's own: a null sink `chatdesk_test` whose monitor is the
    default source, reached by PortAudio through ALSA's pulse plugin (the device `pulse`)."""

    pid: int
    server: str

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [need("paplay"), "--device=chatdesk_test", str(wav)],
            env={**os.environ, "PULSE_SERVER": self.server},
        )

    def record(self, rate: int) -> subprocess.Popen[bytes]:
        """`parec` recording what the sink plays, 16-bit mono at `rate`, until terminated."""
        return subprocess.Popen(
            [
                need("parec"),
                "--device=chatdesk_test.monitor",
                "--format=s16le",
                f"--rate={rate}",
                "--channels=1",
                "--latency-msec=20",
            ],
            stdout=subprocess.PIPE,
            env={**os.environ, "PULSE_SERVER": self.server},
        )

    def kill(self) -> None:
        """The server ended at once, as a USB microphone pulled out."""
        os.kill(self.pid, signal.SIGKILL)


def start_pulse(folder: Path, *, rate: int | None = None) -> Pulse:
    """A PulseAudio server of its own in `folder` (its sink at `rate`, else PulseAudio's
    default), ready to be used."""
    program = need("pulseaudio")
    need("paplay")
    if not Path("/usr/share/alsa/alsa.conf.d/pulse.conf").exists():
        need("ALSA's pulse plugin (libasound2-plugins)")
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "native"
    script = folder / "default.pa"
    sink_rate = "" if rate is None else f" rate={rate}"
    script.write_text(
        f"load-module module-null-sink sink_name=chatdesk_test{sink_rate}\n"
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        "set-default-sink chatdesk_test\n"
        "set-default-source chatdesk_test.monitor\n"
    )
    env = {**os.environ, "XDG_RUNTIME_DIR": str(folder), "HOME": str(folder)}
    # Daemonized, pulseaudio returns once the server is ready, its id in its runtime folder.
    started = subprocess.run(
        [
            program,
            "-D",
            "-n",
            "-F",
            str(script),
            "--exit-idle-time=-1",
            "--use-pid-file=yes",
            "--disallow-exit",
        ],
        env=env,
        capture_output=True,
        timeout=60,
    )
    if started.returncode != 0:
        raise RuntimeError(f"pulseaudio did not start: {started.stderr.decode(errors='replace')}")
    pid = int((folder / "pulse" / "pid").read_text().split()[0])
    return Pulse(pid, f"unix:{socket}")


def stop_pulse(pulse: Pulse) -> None:
    """The server ended, waited for (it is not this process's child: its pidfd says)."""
    try:
        ending = os.pidfd_open(pulse.pid)
    except ProcessLookupError:
        return  # already gone
    try:
        os.kill(pulse.pid, signal.SIGTERM)
        select.select([ending], [], [], 10)  # readable once the process has ended
    finally:
        os.close(ending)


@pytest.fixture
def pulse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pulse]:
    started = start_pulse(tmp_path / "pulse")
    monkeypatch.setenv("PULSE_SERVER", started.server)
    yield started
    stop_pulse(started)
