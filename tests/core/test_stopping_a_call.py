"""Stop during a running MCP call, against the test server (`tests/core/mcp_server.py` with
`mcp_parts/asks.py`) run as its own process over stdio: the answer ends with the call marked
stopped by the user, the server is told to cancel it, and what it reports after that is
neither shown nor kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.chat.events import Event, ToolCallChanged, ToolCallProgressed
from chatdesk.core.kinds import CallState, Status
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.views import MessageView
from tests.core.mcp_helpers import chat_with_server, listening, service_with_tools

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


async def _stopped_mid_call(
    service: ChatService, more: str = ""
) -> tuple[MessageView, MessageView, list[Event]]:
    """An answer calling the test server's `count` (with `more` arguments), stopped once the
    call has begun: the answer `stop` returned, the answer as stored, and the events from the
    Stop on; the server has said it was cancelled, and what it sent before that is in."""
    seen: list[Event] = []
    try:
        thread = await chat_with_server(service)
        async with listening() as (port, said):
            ask = f"use the count tool with steps=100000 every=0.01 started={port} tell={port}"
            turn = await service.send(thread.id, f"{ask} {more}")
            assert await said.get() == b"started"
            service.events.subscribe(seen.append)

            stopped = await service.stop(turn.answer.id)

            assert await said.get() == b"cancelled"
            # A call's reply comes after what it sent on the server's stdout: all is in now.
            assert (await service.tools.source("test").call("echo", {"text": "x"})).text == "x"
        return stopped, await service.get_message(turn.answer.id), seen
    finally:
        await service.aclose()


async def test_stop_ends_the_answer_marks_the_call_stopped_and_cancels_it_on_the_server(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    stopped, stored, seen = await _stopped_mid_call(service_with_tools(store, config, tmp_path))
    assert stopped.status is Status.INTERRUPTED
    assert stopped.error_detail == "Stopped during a tool call."
    for answer in (stopped, stored):
        [call] = answer.tool_calls
        assert call.state == CallState.NOT_FINISHED
        assert call.stopped_by_user
        assert call.state_text == "Stopped by you before it ended"
        assert call.result is None
    assert not [e for e in seen if isinstance(e, ToolCallProgressed)]


async def test_what_a_server_reports_after_the_stop_is_not_shown_nor_kept(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    service = service_with_tools(store, config, tmp_path)
    # The tool goes on reporting 20 times once cancelled, before it says so.
    stopped, stored, seen = await _stopped_mid_call(service, "after=20")
    assert not [e for e in seen if isinstance(e, ToolCallProgressed)]
    assert not [e for e in seen if isinstance(e, ToolCallChanged)]
    assert stored == stopped
    assert stored.tool_calls[0].stopped_by_user
