"""A running MCP call's progress told on an answer's stream, and a server's question in the
local API with no window: declined (never answered by guess). The test server
(tests/core/mcp_server.py with mcp_parts/asks.py) runs over stdio."""

from __future__ import annotations

import sys
from dataclasses import replace

import httpx2 as httpx
import pytest

from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.servers import ServerConfig, Transport
from tests.api.conftest import Served
from tests.api.test_rest_messages import streamed
from tests.core.mcp_helpers import stdio

pytestmark = pytest.mark.asyncio


async def _streamed(served: Served, text: str) -> list[tuple[str, dict[str, object]]]:
    service = served.core.service
    await service.tools.add_server(stdio("calc"))
    service.tools.policies.set("calc", Policy.ALLOW)
    thread = await service.create_thread()
    # A client's default 5 s between two reads: the keep-alive comments carry the stream
    # through the server's start as a process of its own (tests/api/test_keep_alive_tools.py).
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        return await streamed(
            client, "POST", f"/api/v1/threads/{thread.id}/messages", content=text, tools=["calc"]
        )


async def test_a_calls_progress_is_told_on_the_stream(served: Served) -> None:
    events = await _streamed(served, "use the count tool with steps=4 every=0.25")
    progress = [data for name, data in events if name == "tool_progress"]
    assert progress
    assert progress[-1]["progress"] == 4
    assert progress[-1]["total"] == 4
    assert progress[-1]["message"] == "step 4 of 4"
    [call_id] = {data["call_id"] for data in progress}
    calls = [data["call"] for name, data in events if name == "tool_call"]
    assert calls[-1]["call_id"] == call_id
    assert calls[-1]["result"] == "counted 4"


async def test_with_no_window_a_servers_question_is_declined(served: Served) -> None:
    assert served.core.service.tools.asker is None
    events = await _streamed(served, "use the ask_form tool")
    calls = [data["call"] for name, data in events if name == "tool_call"]
    assert calls[-1]["result"] == "decline"
    assert events[-1][1]["status"] == "complete"


async def test_a_server_that_cannot_start_is_told_on_the_stream_and_the_answer_goes_on(
    served: Served,
) -> None:
    service = served.core.service
    exits = ("-I", "-c", "raise SystemExit(3)")
    config = ServerConfig(
        "gone", Transport.STDIO, command=sys.executable, args=exits, command_approved=True
    )
    await service.tools.add_server(config)
    await service.tools.add_server(replace(stdio("off"), enabled=False))
    thread = await service.create_thread()
    async with httpx.AsyncClient(
        base_url=served.url, headers=served.headers, timeout=httpx.Timeout(5, read=120)
    ) as client:
        events = await streamed(
            client,
            "POST",
            f"/api/v1/threads/{thread.id}/messages",
            content="use the add tool with a=1 b=2",
            tools=["gone", "off"],
        )

    [told] = [data for name, data in events if name == "tools_left_out"]
    servers = {server["server"]: server for server in told["servers"]}  # type: ignore[attr-defined]
    assert servers["off"]["why"] == "off"
    assert servers["off"]["said"] == "off is switched off: its tools were left out"
    assert servers["gone"]["why"] == "failed"
    assert "gone could not be used" in servers["gone"]["said"]
    assert events[-1][1]["status"] == "complete"
