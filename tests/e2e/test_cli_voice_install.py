"""`chatdesk voice install` run as a user runs it: the real command in a subprocess. Once in
this environment, where the dev extra has installed the voice runtimes already; once in a fresh
venv holding chatdesk's wheel (built here) and, through a `.pth`, this environment's packages
but the runtimes', where it installs them with that venv's pip from a folder of tiny wheels
(pip's own settings, `PIP_*`, pointing it there as they would for a user offline)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.voice.runtime_parts import Venv, cut_off_pip_settings, fresh_venv, wheel
from tests.e2e.cli import chatdesk

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = {"faster_whisper", "av", "ctranslate2", "onnxruntime", "chatdesk", "_chatdesk"}


def test_an_installed_runtime_is_said_to_be_there_and_nothing_is_run() -> None:
    done = chatdesk("voice", "install")
    assert done.returncode == 0, done.stderr
    assert "local-speech is installed already." in done.stderr
    assert "pip" not in done.stderr
    files = chatdesk("voice", "install", "audio-files")
    assert "audio-files is installed already." in files.stderr
    listed = chatdesk("voice", "models")
    assert "not installed" not in listed.stderr


def test_an_unknown_runtime_is_refused_naming_those_there_are() -> None:
    done = chatdesk("voice", "install", "whisper")
    assert done.returncode == 1
    assert "There is no extra whisper: local-speech, audio-files, formulas." in done.stderr


def _without_runtimes(folder: Path, hidden: set[str]) -> Path:
    """This environment's site-packages, but `hidden` (the voice runtimes and chatdesk), as
    links."""
    view = folder / "site-view"
    view.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if re.split(r"[-.]", entry.name.lower())[0] in hidden or "__editable__" in entry.name:
            continue
        (view / entry.name).symlink_to(entry)
    return view


def with_chatdesk(folder: Path, hidden: set[str] = HIDDEN) -> Venv:
    """A fresh venv with chatdesk's wheel, built here, and this environment's packages but
    `hidden`."""
    venv = fresh_venv(folder / "venv")
    built = folder / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(built)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [made] = built.glob("chatdesk-*.whl")
    subprocess.run(
        [str(venv.python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(made)],
        check=True,
        capture_output=True,
    )
    (venv.site / "dependencies.pth").write_text(f"{_without_runtimes(folder, hidden)}\n", "utf-8")
    return venv


@pytest.mark.slow("makes a venv, builds chatdesk's wheel and installs it, then runs pip")
@pytest.mark.skipif(sys.platform == "win32", reason="links to the packages need privileges there")
def test_voice_install_installs_the_runtime_into_chatdesks_own_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_off_pip_settings(monkeypatch)
    venv = with_chatdesk(tmp_path)
    wheels = tmp_path / "wheels"
    wheel(wheels, "faster-whisper", "1.99.0", "faster_whisper")
    wheel(wheels, "av", "19.0.0", "av")
    run = chatdesk_in(venv, wheels, tmp_path)
    listed = run("voice", "models")
    assert listed.returncode == 0, listed.stderr
    assert "Speech to text on this computer is not installed: `chatdesk voice install`" in (
        listed.stderr
    )
    done = run("voice", "install")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Installing local-speech with pip. Speech to text on this")
    assert "about 115 MB" in lines[0]
    assert any("Successfully installed av-19.0.0 faster-whisper-1.99.0" in line for line in lines)
    assert lines[-1] == "local-speech is installed."
    assert (venv.site / "faster_whisper" / "__init__.py").exists()
    again = run("voice", "install")
    assert "local-speech is installed already." in again.stderr


def chatdesk_in(
    venv: Venv, wheels: Path, folder: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The venv's chatdesk command, run in `folder`, its pip finding packages only in `wheels`."""
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(venv.python), "-m", "chatdesk", *args]
        return subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=folder, timeout=120
        )

    return run
