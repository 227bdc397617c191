"""A headless `chatdesk serve` hears what another chatdesk process writes (decision 0041): a
client on a thread's WebSocket is sent the message `chatdesk ask` adds to that thread in a
process of its own, and its answer."""

from __future__ import annotations

from websockets.sync.client import connect

from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import API_KEY, chatdesk, chatdesk_json, headless_api
from tests.e2e.test_serve_socket import frames_until


def test_a_socket_client_is_sent_what_another_process_adds_to_its_thread() -> None:
    chatdesk_json("ask", "What is a B-tree?")
    [thread] = chatdesk_json("threads", "list")
    with headless_api() as api:
        url = f"ws://{api.address}/api/v1/threads/{thread['id']}/ws"
        with connect(url, additional_headers={"x-api-key": API_KEY}) as socket:
            frames_until(socket, "READY")
            asked = chatdesk("ask", "And a B+ tree?", "--thread", thread["id"])
            assert asked.returncode == 0, asked.stderr
            created = frames_until(socket, "MESSAGE_CREATED")["message"]
            while created["role"] != "user":  # the answer may be told in the same turn
                created = frames_until(socket, "MESSAGE_CREATED")["message"]
            answer = frames_until(socket, "MESSAGE_UPDATED")["message"]
    assert created["content"] == "And a B+ tree?"
    assert answer["content"] == mock_answer("And a B+ tree?").text
