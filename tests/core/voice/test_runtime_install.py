"""The runtime installer against a real fresh venv and its real pip, offline: the extra's
requirements, read from the installed chatdesk's metadata, installed from a folder of tiny real
wheels made here; and the ways it fails (a package the index lacks, an index out of reach, no
pip, cancelled), each typed and leaving the venv as it was."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.extras import LOCAL_SPEECH, Extras
from chatdesk.core.extras_install import InstallFailed, InstallProblem
from tests.core.voice.runtime_parts import (
    Venv,
    cut_off_pip_settings,
    fresh_venv,
    recording_python,
    wheel,
)

pytestmark = [
    pytest.mark.processes,  # venvs and pip (tests/stages.py)
    pytest.mark.skipif(sys.platform == "win32", reason="the recording Python is a shell script"),
]


# Kept for the session, though only this module's tests use it: pytest ends a module's
# fixtures each time a worker turns to another module's test, and pytest-xdist hands tests out
# interleaved, so a module's venv was made again (ensurepip, 5 s or more) on coming back.
@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return fresh_venv(tmp_path_factory.mktemp("venv") / "venv")


@pytest.fixture(scope="session")
def as_made(venv: Venv) -> list[str]:
    """What the module's venv holds as it was made: pip alone."""
    return venv.installed()


@pytest.fixture
def clean_venv(venv: Venv, as_made: list[str]) -> Iterator[Venv]:
    """The module's venv, given back with nothing but pip in it, as each test finds it."""
    yield venv
    for package in ("faster_whisper", "av"):
        for found in venv.site.glob(f"{package}*"):
            _remove(found)
    assert venv.installed() == as_made


def _remove(path: Path) -> None:
    if path.is_dir():
        for inner in sorted(path.rglob("*"), reverse=True):
            inner.rmdir() if inner.is_dir() else inner.unlink()
        path.rmdir()
    else:
        path.unlink()


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    """Stand-ins for the extra's packages, under their names, in versions it accepts."""
    folder = tmp_path / "wheels"
    wheel(folder, "faster-whisper", "1.99.0", "faster_whisper")
    wheel(folder, "av", "19.0.0", "av")
    return folder


@pytest.fixture(autouse=True)
def _pip_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    cut_off_pip_settings(monkeypatch)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-reach-pip")


@pytest.mark.slow("makes a venv with pip (ensurepip) and runs pip in it")
@pytest.mark.asyncio
async def test_the_extra_installs_from_a_folder_of_wheels_and_is_found_after(
    clean_venv: Venv, wheels: Path, tmp_path: Path
) -> None:
    python, seen = recording_python(clean_venv.python, tmp_path)
    runtimes = Extras(
        python=str(python),
        paths=[str(clean_venv.site)],
        pip_options=["--no-index", "--find-links", str(wheels)],
    )
    assert not runtimes.state(LOCAL_SPEECH).present
    lines: list[str] = []

    after = await runtimes.install(LOCAL_SPEECH, lines.append)

    assert after.present
    assert runtimes.state(LOCAL_SPEECH).present
    assert any(line.startswith("Successfully installed") for line in lines), lines
    assert {"av==19.0.0", "faster-whisper==1.99.0"} <= set(clean_venv.installed())
    environment = seen.read_text(encoding="utf-8")
    assert "sk-must-not-reach-pip" not in environment
    assert "OPENAI_API_KEY" not in environment
    assert "PIP_CONFIG_FILE=" in environment  # pip's own settings go through


@pytest.mark.slow("makes a venv with pip (ensurepip) and runs pip in it")
@pytest.mark.asyncio
async def test_a_package_the_index_lacks_fails_typed_and_changes_nothing(
    clean_venv: Venv, tmp_path: Path
) -> None:
    only_av = tmp_path / "some-wheels"
    wheel(only_av, "av", "19.0.0", "av")
    before = clean_venv.installed()
    runtimes = Extras(
        python=str(clean_venv.python),
        paths=[str(clean_venv.site)],
        pip_options=["--no-index", "--find-links", str(only_av)],
    )
    with pytest.raises(InstallFailed) as failed:
        await runtimes.install(LOCAL_SPEECH, lambda line: None)
    assert failed.value.problem is InstallProblem.NOT_FOUND
    assert "The package index has no version of" in str(failed.value)
    assert "faster-whisper" in str(failed.value)
    assert clean_venv.installed() == before  # not even av, which was there to take


@pytest.mark.slow("runs pip in the venv, which its worker may have to make first (ensurepip)")
@pytest.mark.asyncio
async def test_an_index_out_of_reach_is_said_to_be_the_network(clean_venv: Venv) -> None:
    before = clean_venv.installed()
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    runtimes = Extras(
        python=str(clean_venv.python),
        paths=[str(clean_venv.site)],
        pip_options=["--index-url", f"http://127.0.0.1:{port}/simple", "--retries", "1"],
    )
    with pytest.raises(InstallFailed) as failed:
        await runtimes.install(LOCAL_SPEECH, lambda line: None)
    assert failed.value.problem is InstallProblem.NO_NETWORK
    assert "check the network (or the proxy)" in str(failed.value)
    assert clean_venv.installed() == before


@pytest.mark.asyncio
async def test_a_python_without_pip_says_so(tmp_path: Path) -> None:
    bare = fresh_venv(tmp_path / "bare", with_pip=False)
    runtimes = Extras(python=str(bare.python), paths=[str(bare.site)])
    with pytest.raises(InstallFailed) as failed:
        await runtimes.install(LOCAL_SPEECH, lambda line: None)
    assert failed.value.problem is InstallProblem.NO_PIP
    assert "has no pip to install with" in str(failed.value)


class SilentIndex:
    """An index on 127.0.0.1 that takes the connection and never answers; it notes when the
    client is gone."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/simple"
        self.asked = threading.Event()
        self.left = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self._socket.accept()
        with connection:
            self.asked.set()
            while connection.recv(4096):
                pass
            self.left.set()

    def close(self) -> None:
        self._socket.close()


@pytest.mark.slow("runs pip in the venv, which its worker may have to make first (ensurepip)")
@pytest.mark.asyncio
async def test_cancelling_stops_pip(clean_venv: Venv) -> None:
    index = SilentIndex()
    before = clean_venv.installed()
    runtimes = Extras(
        python=str(clean_venv.python),
        paths=[str(clean_venv.site)],
        pip_options=["--index-url", index.url, "--retries", "0", "--timeout", "120"],
    )
    try:
        task = asyncio.create_task(runtimes.install(LOCAL_SPEECH, lambda line: None))
        assert await asyncio.to_thread(index.asked.wait, 60)  # pip is waiting for the index
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(index.left.wait, 10)  # pip is gone: its socket closed
    finally:
        index.close()
    assert clean_venv.installed() == before
