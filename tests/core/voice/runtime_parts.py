"""What the runtime installer's tests install into: a fresh venv with its own pip, a folder of
tiny real wheels made here with the standard library, pip's settings cut off from the
machine's (no index, no configuration file), and a Python that writes down the environment it
was started with."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest


def wheel(folder: Path, name: str, version: str, module: str) -> Path:
    """A real wheel of `name` holding one module, `module`, that says what it is."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{name.replace('-', '_')}-{version}"
    files = {
        f"{module}/__init__.py": f"WHAT = {name!r}\n".encode(),
        f"{stem}.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        ).encode(),
        f"{stem}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{stem}.dist-info/RECORD"] = (
        "\n".join([*record, f"{stem}.dist-info/RECORD,,"]) + "\n"
    ).encode()
    path = folder / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for inside, data in files.items():
            archive.writestr(inside, data)
    return path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class Venv:
    python: Path
    site: Path  # its site-packages

    def installed(self) -> list[str]:
        """`pip freeze` of it: what a failed install must leave as it was."""
        done = subprocess.run(
            [str(self.python), "-m", "pip", "freeze", "--all"],
            capture_output=True,
            text=True,
            check=True,
            env={"PIP_CONFIG_FILE": os.devnull, "PATH": os.environ.get("PATH", "")},
        )
        return sorted(done.stdout.split())


def fresh_venv(folder: Path, *, with_pip: bool = True) -> Venv:
    """A new venv of this Python, with pip from the standard library's own wheel (offline)."""
    base = getattr(sys, "_base_executable", sys.executable)
    command = [base, "-m", "venv", str(folder)] + ([] if with_pip else ["--without-pip"])
    subprocess.run(command, check=True, capture_output=True)
    bin_folder = folder / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_folder / ("python.exe" if sys.platform == "win32" else "python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return Venv(python, Path(site))


def cut_off_pip_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip reads no setting of this machine's (an index, find-links, a constraint file): only
    what a test gives it."""
    for name in list(os.environ):
        if name.upper().startswith("PIP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")


def recording_python(python: Path, folder: Path) -> tuple[Path, Path]:
    """A script that writes the environment it got to a file, then runs `python` with its
    arguments: the command an installer is given instead of `python`. POSIX only."""
    seen = folder / "environment.txt"
    script = folder / "python-recording"
    script.write_text(f'#!/bin/sh\nenv > "{seen}"\nexec "{python}" "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, seen
