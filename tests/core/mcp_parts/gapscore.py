"""The test server's out-of-band step: a tool that asks the user to pay on a web page (a URL
question, on protocols before 2026-07-28) and, when the test's "web page" says the payment was
made, tells the client that step is done (`notifications/elicitation/complete`) while the
question may still be shown."""

from __future__ import annotations

import socket

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context

PAY_URL = "https://pay.example.com/checkout?order=9"
ELICITATION_ID = "order-9"


async def pay_elsewhere(ctx: Context, port: int) -> str:
    """Ask the user to pay on the shop's page; say what the answer was. The test listening on
    `port` of 127.0.0.1 plays the page: its one byte says the payment was made there."""
    said: list[str] = []

    async def ask() -> None:
        answer = await ctx.elicit_url("Pay on the shop's page.", PAY_URL, ELICITATION_ID)
        said.append(str(answer.action))

    async with anyio.create_task_group() as group:
        group.start_soon(ask)
        await anyio.to_thread.run_sync(_paid, port)
        await ctx.session.send_elicit_complete(ELICITATION_ID, ctx.request_id)
    return said[0]


def _paid(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as page:
        page.recv(1)


def register(server: MCPServer) -> None:
    server.tool()(pay_elsewhere)
