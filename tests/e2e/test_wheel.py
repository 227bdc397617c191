"""The built wheel carries its migrations: installed on its own, it creates and uses a database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow("builds the wheel and installs it into a venv of its own")
def test_wheel_installs_and_creates_a_database(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = dist.glob("chatdesk-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (site / "chatdesk" / "migrations" / "env.py").is_file()
    assert (site / "chatdesk" / "resources" / "icons" / "chatdesk.svg").is_file()
    env = {**os.environ, "PYTHONPATH": str(site), "CHATDESK_HOME": str(tmp_path / "home")}

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "chatdesk", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import chatdesk; print(chatdesk.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(site))  # the installed copy, not the checkout
    assert '"status": "complete"' in run("ask", "hello from the wheel", "--json")
    assert '"up_to_date": true' in run("db", "check", "--json")
