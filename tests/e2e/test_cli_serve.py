"""`chatdesk serve` as a user runs it: a real process serving the local API until stopped, and
`chatdesk api key`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx2 as httpx

from tests.e2e.cli import chatdesk

ADDRESS = re.compile(r"(http://127\.0\.0\.1:\d+)/v1")


def test_serve_answers_with_the_key_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "CHATDESK_API_KEY": "cdk-e2e-key"}
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # the first line names the address
        found = ADDRESS.search(line)
        assert found, line
        reply = httpx.get(f"{found[1]}/api/v1/health", headers={"x-api-key": "cdk-e2e-key"})
        refused = httpx.get(f"{found[1]}/api/v1/health")
        assert reply.status_code == 200
        assert refused.status_code == 401
        assert "CHATDESK_API_KEY" in process.stderr.readline()  # where its key comes from
    finally:
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        rest = process.stderr.read() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
    assert "Traceback" not in rest
    assert code == (0 if sys.platform == "win32" else 130)  # stopped as Ctrl+C stops a command


def test_a_port_in_use_is_said_in_words() -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = chatdesk("serve", "--port", str(port), env={"CHATDESK_API_KEY": "cdk-e2e"})
    assert result.returncode != 0
    assert f"127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_key_without_a_keyring_says_how_to_set_one() -> None:
    # The test processes have no system keyring (PYTHON_KEYRING_BACKEND is the failing one);
    # making, keeping and rotating the key in a keyring is tests/core/test_api_keys.py's.
    result = chatdesk("api", "key")
    assert result.returncode == 1
    assert "CHATDESK_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_key_prints_the_key_the_environment_sets_and_will_not_rotate_it() -> None:
    shown = chatdesk("api", "key", env={"CHATDESK_API_KEY": "cdk-from-env"})
    rotated = chatdesk("api", "key", "--rotate", env={"CHATDESK_API_KEY": "cdk-from-env"})
    assert shown.stdout.strip() == "cdk-from-env"
    assert rotated.returncode == 2
    assert "CHATDESK_API_KEY" in rotated.stderr
