"""Voice's optional runtimes without installing anything: the table of sizes against the
installed package's metadata, where a runtime is looked for, what the desktop build says
instead, what pip is given of the environment, how pip's words become a typed failure, and a
WAV read without PyAV."""

from __future__ import annotations

import math
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from chatdesk.core.extras import (
    AUDIO_FILES,
    EXTRAS,
    LOCAL_SPEECH,
    PACKAGES,
    Extras,
    packages_of,
    requirements_of,
)
from chatdesk.core.extras_install import InstallFailed, InstallProblem, failure
from chatdesk.core.trust.environment import pip_environment
from chatdesk.core.voice.audio import SAMPLE_RATE
from chatdesk.core.voice.audio_files import decode_wav, resampled
from chatdesk.core.voice.runtime import how_to_get


@pytest.mark.parametrize("extra", [LOCAL_SPEECH, AUDIO_FILES])
def test_the_table_names_exactly_the_packages_of_each_extra_in_the_installed_metadata(
    extra: str,
) -> None:
    listed = packages_of(requirements_of(extra))
    assert listed, (
        f"the installed chatdesk's metadata has no {extra} extra: install it again "
        "(pip install -e '.[dev]')"
    )
    assert sorted(EXTRAS[extra].packages) == sorted(listed)
    assert set(EXTRAS[extra].packages) <= set(PACKAGES)
    assert not set(packages_of(requirements_of("no-such-extra")))


def test_the_dev_extra_brings_the_voice_runtimes() -> None:
    dev = requirements_of("dev")
    named = set(packages_of(dev))  # hatchling writes `chatdesk[local-speech,…]` out in full
    referred = {line for line in dev if line.startswith("chatdesk[")}
    for extra in (LOCAL_SPEECH, AUDIO_FILES):
        assert set(EXTRAS[extra].packages) <= named or any(extra in line for line in referred)


def test_a_runtime_is_found_where_its_modules_are_and_costs_only_what_is_missing(
    tmp_path: Path,
) -> None:
    runtimes = Extras(paths=[str(tmp_path)])
    nothing = runtimes.state(LOCAL_SPEECH)
    assert not nothing.present
    assert sorted(nothing.missing) == ["av", "faster-whisper"]
    assert (
        nothing.download_mb == PACKAGES["av"].download_mb + PACKAGES["faster-whisper"].download_mb
    )
    assert f"about {nothing.download_mb} MB" in nothing.offer()
    assert nothing.offer().startswith("Speech to text on this computer needs a download")

    (tmp_path / "av").mkdir()
    (tmp_path / "av" / "__init__.py").write_text("", encoding="utf-8")
    assert runtimes.state(AUDIO_FILES).present
    half = runtimes.state(LOCAL_SPEECH)
    assert half.missing == ("faster-whisper",)
    assert half.disk_mb == PACKAGES["faster-whisper"].disk_mb
    assert Extras().state(LOCAL_SPEECH).present  # this environment has them (the dev extra)


def test_an_unknown_runtime_is_refused_naming_those_there_are() -> None:
    with pytest.raises(
        InstallFailed, match="There is no extra whisper: local-speech, audio-files, formulas"
    ):
        Extras().state("whisper")


@pytest.mark.asyncio
async def test_the_desktop_build_says_what_to_do_instead_and_installs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    runtimes = Extras(paths=[str(tmp_path)])
    lines: list[str] = []
    with pytest.raises(InstallFailed) as refused:
        await runtimes.install(LOCAL_SPEECH, lines.append)
    said = str(refused.value)
    assert refused.value.problem is InstallProblem.FROZEN
    assert "This desktop build of chatdesk cannot add it (115 MB to download)" in said
    assert "Choose a provider in Preferences ▸ Voice" in said
    assert "pip install 'chatdesk[local-speech]'" in said
    assert not lines  # no pip was started (and this first-stage test would fail if one were)
    assert how_to_get(AUDIO_FILES).startswith("This desktop build of chatdesk cannot add it")


def test_pip_gets_no_secret_but_pips_own_settings() -> None:
    parent = {
        "PATH": "/usr/bin",
        "HOME": "/home/someone",
        "OPENAI_API_KEY": "sk-secret",
        "GITHUB_TOKEN": "ghp-secret",
        "PYTHONPATH": "/somewhere/else",
        "PIP_INDEX_URL": "https://pypi.example.com/simple",
        "PIP_CERT": "/etc/company-ca.pem",
        "PIP_PASSWORD": "hunter2",
        "HTTPS_PROXY": "http://proxy:3128",
    }
    given = pip_environment(parent, "linux")
    assert given == {
        "PATH": "/usr/bin",
        "HOME": "/home/someone",
        "PIP_INDEX_URL": "https://pypi.example.com/simple",
        "PIP_CERT": "/etc/company-ca.pem",
        "HTTPS_PROXY": "http://proxy:3128",
    }


# What pip 23–26 print, as they print it, for each kind of failure.
PIP_SAID = {
    InstallProblem.NO_PIP: ["/tmp/v/bin/python: No module named pip"],
    InstallProblem.NO_NETWORK: [
        "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) "
        "after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection."
        "HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] "
        "Temporary failure in name resolution')': /simple/faster-whisper/",
        "ERROR: Could not find a version that satisfies the requirement faster-whisper<2,>=1.1 "
        "(from versions: none)",
        "ERROR: No matching distribution found for faster-whisper<2,>=1.1",
    ],
    InstallProblem.NOT_FOUND: [
        "ERROR: Could not find a version that satisfies the requirement faster-whisper<2,>=1.1 "
        "(from versions: none)",
        "ERROR: No matching distribution found for faster-whisper<2,>=1.1",
    ],
    InstallProblem.DISK_FULL: [
        "Installing collected packages: ctranslate2",
        "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device",
    ],
    InstallProblem.NOT_WRITABLE: [
        "error: externally-managed-environment",
        "× This environment is externally managed",
    ],
    InstallProblem.FAILED: ["ERROR: Something pip has never said before"],
}


@pytest.mark.parametrize("problem", list(PIP_SAID))
def test_what_pip_said_becomes_a_typed_failure_that_says_what_to_do(
    problem: InstallProblem, tmp_path: Path
) -> None:
    state = Extras(paths=[str(tmp_path)]).state(LOCAL_SPEECH)
    failed = failure(PIP_SAID[problem], state, "/tmp/v/bin/python")
    assert failed.problem is problem
    said = str(failed)
    expected = {
        InstallProblem.NO_PIP: "has no pip to install with",
        InstallProblem.NO_NETWORK: "The package index could not be reached",
        InstallProblem.NOT_FOUND: "The package index has no version of",
        InstallProblem.DISK_FULL: f"free about {state.disk_mb} MB",
        InstallProblem.NOT_WRITABLE: "into a virtual environment of your own",
        InstallProblem.FAILED: "Something pip has never said before",
    }[problem]
    assert expected in said


def _tone(path: Path, rate: int, width: int, channels: int, seconds: float = 1.0) -> Path:
    """A 440 Hz tone at half scale, as a PCM WAV."""
    count = int(rate * seconds)
    tone = 0.5 * np.sin(2 * math.pi * 440 * np.arange(count) / rate)
    scale = 2 ** (8 * width - 1) - 1
    if width == 1:
        data = (tone * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        ints = (tone * scale).astype("<i4")
        data = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    else:
        data = (tone * scale).astype(f"<i{width}").tobytes()
    frames = b"".join(data[i : i + width] * channels for i in range(0, len(data), width))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


@pytest.mark.parametrize(
    ("rate", "width", "channels"), [(44_100, 3, 2), (22_050, 2, 1), (8_000, 1, 1), (48_000, 4, 2)]
)
def test_a_pcm_wav_is_read_by_the_standard_library_at_16_khz(
    tmp_path: Path, rate: int, width: int, channels: int
) -> None:
    samples, total, cut = decode_wav(_tone(tmp_path / "tone.wav", rate, width, channels), 300)
    assert samples.dtype == np.float32
    assert len(samples) == pytest.approx(SAMPLE_RATE, abs=2)
    assert total == pytest.approx(1.0)
    assert not cut
    middle = samples[1000:-1000]  # the filter's edges aside
    assert float(np.sqrt(np.mean(middle**2))) == pytest.approx(0.5 / math.sqrt(2), rel=0.03)


def test_a_long_wav_is_read_only_to_the_longest_length(tmp_path: Path) -> None:
    samples, total, cut = decode_wav(_tone(tmp_path / "long.wav", 16_000, 2, 1, 3.0), 1)
    assert (len(samples), total, cut) == (SAMPLE_RATE, pytest.approx(3.0), True)


def test_resampling_keeps_speech_and_leaves_out_what_16_khz_cannot_hold() -> None:
    rate = 44_100
    time = np.arange(rate) / rate
    speech = resampled(np.sin(2 * math.pi * 1_000 * time).astype(np.float32), rate)
    hiss = resampled(np.sin(2 * math.pi * 10_000 * time).astype(np.float32), rate)
    assert float(np.sqrt(np.mean(speech[500:-500] ** 2))) == pytest.approx(0.707, rel=0.02)
    # 10 kHz would fold back to 6 kHz at 16 kHz: it is filtered out first
    assert float(np.sqrt(np.mean(hiss[500:-500] ** 2))) < 0.01
