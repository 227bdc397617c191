"""`chatdesk serve` as a user runs it: a real process serving the local API until stopped, and
`chatdesk api key`."""

from __future__ import annotations

import sys

import httpx2 as httpx

from tests.e2e.cli import API_KEY, chatdesk, headless_api


def test_serve_answers_with_the_key_and_stops_on_ctrl_c() -> None:
    with headless_api() as served:
        url = f"http://{served.address}/api/v1/health"
        reply = httpx.get(url, headers={"x-api-key": API_KEY})
        refused = httpx.get(url)
    assert reply.status_code == 200
    assert refused.status_code == 401
    assert "CHATDESK_API_KEY" in served.said[1]  # where its key comes from
    assert not any("Traceback" in line for line in served.said)
    assert served.returncode == (0 if sys.platform == "win32" else 130)  # as Ctrl+C stops one


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
