"""A chat made by one `chatdesk` command, continued over the WebSocket of `chatdesk serve`
running headless in a process of its own, and kept where the next command reads it."""

from __future__ import annotations

import json
from typing import Any

from websockets.sync.client import ClientConnection, connect

from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import API_KEY, chatdesk_json, headless_api


def frames_until(socket: ClientConnection, kind: str) -> dict[str, Any]:
    """The next frame of `kind` (those before it are passed over)."""
    while True:
        frame: dict[str, Any] = json.loads(socket.recv())
        if frame["type"] == kind:
            return frame


def test_a_chat_is_continued_over_the_socket_of_a_headless_server() -> None:
    chatdesk_json("ask", "What is a B-tree?")
    [thread] = chatdesk_json("threads", "list")
    with headless_api() as api:
        url = f"ws://{api.address}/api/v1/threads/{thread['id']}/ws"
        with connect(url, additional_headers={"x-api-key": API_KEY}) as socket:
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
