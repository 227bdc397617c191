"""Run the real `chatdesk` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def chatdesk(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "chatdesk", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def chatdesk_json(*args: str) -> Any:
    result = chatdesk(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def rows(database: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


API_KEY = "cdk-e2e-key"
_ADDRESS = re.compile(r"http://(127\.0\.0\.1:\d+)/v1")


@dataclass
class Headless:
    """A `chatdesk serve` running: its `host:port`; once stopped, its exit code and stderr."""

    address: str
    returncode: int | None = None
    said: list[str] = field(default_factory=list)  # its stderr, line by line


@contextmanager
def headless_api(key: str = API_KEY) -> Iterator[Headless]:
    """`chatdesk serve` on a port of its own, the key given by CHATDESK_API_KEY; stopped at the
    end as Ctrl+C stops it (terminated on Windows)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "CHATDESK_API_KEY": key},
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first line names the address
    found = _ADDRESS.search(first)
    running = Headless(found[1] if found else "", said=[first])
    try:
        assert found, first
        yield running
    finally:
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)
        running.returncode = process.wait(timeout=60)
        running.said.extend(process.stderr.read().splitlines())
        process.stderr.close()
    assert not any("Traceback" in line for line in running.said), running.said
