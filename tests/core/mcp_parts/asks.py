"""The test server's questions, progress and logs: a tool that asks a form question and gives
back what it got, one that asks in URL mode, one that reports progress and can be stopped
(saying so to a port the test listens on), one that logs."""

from __future__ import annotations

import json
import socket
import warnings
from typing import Annotated, Literal

from mcp.server import MCPServer
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp_types import (
    CallToolResult,
    ElicitRequest,
    ElicitRequestURLParams,
    ElicitResult,
    InputRequiredResult,
    TextContent,
)
from pydantic import BaseModel, Field


class Booking(BaseModel):
    name: str = Field(title="Your name", min_length=2, max_length=20)
    guests: int = Field(default=2, ge=1, le=8, description="How many people")
    budget: float = Field(default=50.0, ge=0)
    seat: Literal["window", "aisle"] = Field(default="window", title="Seat")
    vegetarian: bool = Field(default=False)
    email: str | None = Field(default=None, json_schema_extra={"format": "email"})


def _booking() -> Elicit[Booking]:
    return Elicit("Book a table: who is coming?", Booking)


async def ask_form(answer: Annotated[ElicitationResult[Booking], Resolve(_booking)]) -> str:
    """Ask a booking question, then say what the answer was (asked inside the call's result
    on the 2026-07-28 protocol, as a request of its own on older ones)."""
    if isinstance(answer, AcceptedElicitation):
        return "accept " + json.dumps(answer.data.model_dump(), sort_keys=True)
    return str(answer.action)


async def ask_url(
    ctx: Context, url: str = "https://pay.example.com/checkout?order=7"
) -> CallToolResult | InputRequiredResult:
    """Ask the user to visit a page, then say what the answer was."""
    message = "Finish paying on the shop's page."
    if ctx.protocol_version != "2026-07-28":
        said = await ctx.elicit_url(message, url, "order-7")
        return CallToolResult(content=[TextContent(text=said.action)])
    answered = (ctx.input_responses or {}).get("pay")
    if isinstance(answered, ElicitResult):
        return CallToolResult(content=[TextContent(text=answered.action)])
    asked = ElicitRequest(params=ElicitRequestURLParams(message=message, url=url))
    return InputRequiredResult(input_requests={"pay": asked}, request_state="asked")


async def count(
    ctx: Context, steps: int, every: float = 0.0, tell: int = 0, started: int = 0, after: int = 0
) -> str:
    """Report progress `steps` times, `every` seconds apart; with `tell`, say "cancelled" to a
    test listening on that port of 127.0.0.1 when the call was stopped, after reporting
    `after` times more (as a server that does not stop at once does); with `started`, say
    "started" to that port once the first report is sent."""
    import anyio

    try:
        for step in range(1, steps + 1):
            await ctx.report_progress(step, steps, f"step {step} of {steps}")
            if step == 1 and started:
                _say(started, b"started")
            await anyio.sleep(every)
    except anyio.get_cancelled_exc_class():
        with anyio.CancelScope(shield=True):
            for late in range(after):
                await ctx.report_progress(steps + late, steps, f"late {late}")
        if tell:
            _say(tell, b"cancelled")
        raise
    return f"counted {steps}"


def _say(port: int, what: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as told:
        told.sendall(what)


async def chatter(ctx: Context, text: str) -> str:
    """Log `text` at three levels, then give it back."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the logging capability is deprecated in the SDK
        await ctx.log("info", text, logger_name="chatter")
        await ctx.log("warning", {"said": text}, logger_name="chatter.deep")
        await ctx.log("error", "line one\nline two")
    return text


def register(server: MCPServer) -> None:
    for tool in (ask_form, ask_url, count, chatter):
        server.tool()(tool)
