"""A chat made and asked in over `/api/v1` of `chatdesk serve`, running headless in a process
of its own, the answer streamed as server-sent events; the next `chatdesk` command finds it."""

from __future__ import annotations

import json

import httpx2 as httpx

from chatdesk.core.providers.mock_text import mock_answer
from tests.e2e.cli import API_KEY, chatdesk_json, headless_api


def test_a_script_keeps_a_chat_through_the_rest_api_of_a_headless_server() -> None:
    with (
        headless_api() as served,
        httpx.Client(
            base_url=f"http://{served.address}/api/v1",
            headers={"Authorization": f"Bearer {API_KEY}"},
        ) as api,
    ):
        thread = api.post("/threads", json={"title": "From a script"}).json()
        deltas, ended = [], {}
        url = f"/threads/{thread['id']}/messages"
        with api.stream("POST", url, json={"content": "What is a B-tree?"}) as reply:
            event = ""
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "stream_chunk":
                    deltas.append(json.loads(line.removeprefix("data: "))["delta"])
                elif line.startswith("data: ") and event == "stream_end":
                    ended = json.loads(line.removeprefix("data: "))
    assert thread["origin"] == "api"
    assert ended["status"] == "complete"
    assert "".join(deltas) == ended["message"]["content"] == mock_answer("What is a B-tree?").text
    [kept] = chatdesk_json("threads", "list")
    assert (kept["id"], kept["title"], kept["message_count"]) == (
        thread["id"],
        "From a script",
        2,
    )
