"""The end-to-end tests' commands are forked from a warm interpreter (tests/e2e/warm.py) unless
they are given what an interpreter reads only as it starts."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.e2e.cli import COLD, can_warm, read_at_start, started

POSIX = hasattr(os, "fork") and sys.platform != "win32"


@pytest.mark.skipif(not POSIX, reason="the warm interpreter forks: POSIX only")
def test_a_test_s_own_environment_is_forked_warm(monkeypatch: pytest.MonkeyPatch) -> None:
    # what every test sets (tests/conftest.py) must not send each command to a cold start
    monkeypatch.delenv(COLD, raising=False)
    assert can_warm(dict(os.environ))
    assert can_warm({**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})


@pytest.mark.skipif(not POSIX, reason="the warm interpreter forks: POSIX only")
def test_what_the_interpreter_reads_at_its_start_starts_the_command_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(COLD, raising=False)
    for name, value in (("PYTHONUTF8", "1"), ("LC_ALL", "C"), ("PYTHON_GIL", "0")):
        assert not can_warm({**os.environ, name: value + os.environ.get(name, "")}), name
    monkeypatch.setenv(COLD, "1")
    assert not can_warm(dict(os.environ))


def test_interpreter_variables_are_told_from_libraries_ones() -> None:
    for name in ("PYTHONPATH", "PYTHONHASHSEED", "PYTHON_GIL", "LANG", "LC_MESSAGES"):
        assert read_at_start(name), name
    assert not read_at_start("PYTHON_KEYRING_BACKEND")
    assert not read_at_start("CHATDESK_HOME")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX's")
@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cold"])
def test_a_started_command_streams_its_output_and_is_killed_or_waited_for(
    cold: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cold:
        monkeypatch.setenv(COLD, "1")
    else:
        monkeypatch.delenv(COLD, raising=False)
    with started("--version") as command:
        said = command.stdout.read()
        assert command.wait(60) == 0, command.said()
    assert said.startswith(b"chatdesk ")
    slow = {"CHATDESK_MOCK_TOKENS_PER_SECOND": "5"}  # about a minute for the whole answer
    with started("ask", "a long answer, please", env=slow) as command:
        assert command.stdout.read(1), command.said()  # streaming: it is still running
        command.kill()
        assert command.wait(60) == -signal.SIGKILL
