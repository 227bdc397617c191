"""A user's shell holding their keys and passwords, and the real environment of a process
chatdesk started, as Linux shows it in /proc: for the tests that no child chatdesk starts (the
render, counting and reading children, an MCP server, the login shell) is given a key."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

KEYS = {
    "OPENAI_API_KEY": "sk-openai-canary-1f2e",
    "ANTHROPIC_API_KEY": "sk-ant-canary-3c4d",
    "CHATDESK_API_KEY": "chatdesk-canary-5a6b",
    "PGPASSWORD": "pg-canary-7e8f",
    "GITHUB_TOKEN": "ghp_canary9a0b",
    "AWS_SECRET_ACCESS_KEY": "aws-canary-c1d2",
    "MY_SERVICE_PASSWORD": "service-canary-e3f4",
}
# What a child still needs from the same shell: its locale and the way to the network.
KEPT = {"LANG": "C.UTF-8", "HTTPS_PROXY": "http://proxy.invalid:3128"}

linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="reads a process's environment from Linux's /proc"
)


@pytest.fixture
def keys_in_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """chatdesk started from a shell that exports the user's keys."""
    for name, value in {**KEYS, **KEPT}.items():
        monkeypatch.setenv(name, value)


def environment_of(pid: int | None) -> dict[str, str]:
    """The environment process `pid` was started with."""
    assert pid is not None, "no process runs"
    return parsed(Path(f"/proc/{pid}/environ").read_bytes())


def parsed(environ: bytes) -> dict[str, str]:
    """A /proc environ file: NAME=value entries, each ended by a NUL."""
    entries = environ.decode("utf-8", "surrogateescape").split("\0")
    return dict(entry.split("=", 1) for entry in entries if entry)


def assert_no_key_and_the_rest_kept(environment: dict[str, str]) -> None:
    leaked = {name for name, value in environment.items() if name in KEYS or value in KEYS.values()}
    assert leaked == set()
    assert {name: environment.get(name) for name in KEPT} == KEPT
    assert environment.get("HOME") == os.environ["HOME"]
