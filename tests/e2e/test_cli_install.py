"""`chatdesk install` run as a user runs it (decision 0075): the list of extras with their
sizes, in this environment where the dev extra installed them all; then in a fresh venv holding
chatdesk's wheel and this environment's packages but matplotlib, where formulas are missing and
`chatdesk install formulas` installs them with that venv's pip from a folder of tiny wheels
(pip's own settings pointing it there, as they would for a user offline)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.core.voice.runtime_parts import cut_off_pip_settings, wheel
from tests.e2e.cli import chatdesk
from tests.e2e.test_cli_voice_install import HIDDEN, chatdesk_in, with_chatdesk


def test_the_extras_are_listed_with_their_sizes_and_that_they_are_here() -> None:
    done = chatdesk("install")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    formulas = next(line for line in lines if line.startswith("formulas "))
    assert "Drawing TeX formulas: about 74 MB on disk, installed" in formulas
    assert any(line.startswith("local-speech ") for line in lines)
    listed = json.loads(chatdesk("install", "--json").stdout)
    names = {extra["name"]: extra for extra in listed["extras"]}
    assert set(names) == {"local-speech", "audio-files", "formulas"}
    assert names["formulas"]["installed"] is True
    assert names["formulas"]["download_mb"] > 0
    again = chatdesk("install", "formulas")
    assert again.returncode == 0
    assert "formulas is installed already." in again.stderr


def test_an_unknown_extra_is_refused_naming_those_there_are() -> None:
    done = chatdesk("install", "latex")
    assert done.returncode == 1
    assert "There is no extra latex: local-speech, audio-files, formulas." in done.stderr


@pytest.mark.slow("makes a venv, builds chatdesk's wheel and installs it, then runs pip")
@pytest.mark.skipif(sys.platform == "win32", reason="links to the packages need privileges there")
def test_install_formulas_installs_matplotlib_into_chatdesks_own_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_off_pip_settings(monkeypatch)
    venv = with_chatdesk(tmp_path, HIDDEN | {"matplotlib", "mpl_toolkits", "pylab"})
    wheels = tmp_path / "wheels"
    wheel(wheels, "matplotlib", "3.11.0", "matplotlib")
    run = chatdesk_in(venv, wheels, tmp_path)
    listed = run("install")
    assert listed.returncode == 0, listed.stderr
    assert "Drawing TeX formulas: about 74 MB on disk, not installed" in listed.stdout
    done = run("install", "formulas")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Installing formulas with pip. Drawing TeX formulas needs a")
    assert any("Successfully installed matplotlib-3.11.0" in line for line in lines)
    assert lines[-1] == "formulas is installed."
    assert (venv.site / "matplotlib" / "__init__.py").exists()
    after = run("install")
    assert "Drawing TeX formulas: about 74 MB on disk, installed" in after.stdout
