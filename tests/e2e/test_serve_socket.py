"""A chat made by one `chatdesk` command, continued over the WebSocket of `chatdesk serve`
running headless in a process of its own, and kept where the next command reads it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import chatdesk_json

KEY = "cdk-e2e-socket"
ADDRESS = re.compile(r"http://(127\.0\.0\.1:\d+)/v1")


@contextmanager
def headless_api() -> Iterator[str]:
    """`chatdesk serve` on a port of its own; yields `host:port`, then stops it as Ctrl+C does."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "CHATDESK_API_KEY": KEY},
        text=True,
    )
    assert process.stderr is not None
    try:
        line = process.stderr.readline()
        found = ADDRESS.search(line)
        assert found, line
        yield found[1]
    finally:
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        said = process.stderr.read()
        process.stderr.close()
    assert "Traceback" not in said


def frames_until(socket: ClientConnection, kind: str) -> dict[str, Any]:
    """The next frame of `kind` (those before it are passed over)."""
    while True:
        frame: dict[str, Any] = json.loads(socket.recv())
        if frame["type"] == kind:
            return frame


def test_a_chat_is_continued_over_the_socket_of_a_headless_server() -> None:
    chatdesk_json("ask", "What is a B-tree?")
    [thread] = chatdesk_json("threads", "list")
    with headless_api() as address:
        url = f"ws://{address}/api/v1/threads/{thread['id']}/ws"
        with connect(url, additional_headers={"x-api-key": KEY}) as socket:
            frames_until(socket, "READY")
            socket.send(json.dumps({"type": "SEND_MESSAGE", "content": "And a B+ tree?"}))
            created = frames_until(socket, "MESSAGE_CREATED")
            end = frames_until(socket, "STREAM_END")
            answer = frames_until(socket, "MESSAGE_UPDATED")["message"]
    assert created["message"]["content"] == "And a B+ tree?"
    assert end["status"] == "complete"
    assert answer["content"] == mock_answer("And a B+ tree?").text
    [kept] = chatdesk_json("threads", "list")
    assert kept["id"] == thread["id"]
    assert kept["message_count"] == 4
