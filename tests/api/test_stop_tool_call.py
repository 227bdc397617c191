"""`STOP` on the local API's WebSocket during a running MCP call (the test server,
tests/core/mcp_server.py with mcp_parts/asks.py, over stdio): the answer ends interrupted, the
call is kept as stopped by the user, and the server is told to cancel it."""

from __future__ import annotations

import uuid

import pytest

from chatdesk.core.tools.model import Policy
from tests.api.conftest import Served
from tests.api.sockets import joined, send, until
from tests.core.mcp_helpers import listening, stdio

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts the server's process


async def test_stop_on_the_socket_during_a_call_stops_it_there_and_marks_it(
    served: Served,
) -> None:
    service = served.core.service
    await service.tools.add_server(stdio("calc"))
    service.tools.policies.set("calc", Policy.ALLOW)
    thread = await service.create_thread()
    await service.set_thread_tools(thread.id, ["calc"])
    async with listening() as (port, said), joined(served, thread.id) as socket:
        ask = f"use the count tool with steps=100000 every=0.01 started={port} tell={port}"
        await send(socket, "SEND_MESSAGE", content=ask)
        started, _ = await until(socket, "STREAM_START")
        assert await said.get() == b"started"

        await send(socket, "STOP", message_id=started["message_id"], request_id="stop")

        end, _ = await until(socket, "STREAM_END")
        assert await said.get() == b"cancelled"
    assert end["status"] == "interrupted"
    kept = await service.get_message(uuid.UUID(started["message_id"]))
    [call] = kept.tool_calls
    assert (call.state, call.stopped_by_user) == ("not_finished", True)
