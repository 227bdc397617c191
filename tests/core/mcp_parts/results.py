"""Structured results, hints and titles: a tool whose structured result matches the output
schema it declares (`forecast`), one whose result does not (`miscount`), one that says it may
delete things (`wipe`), one that says nothing of that but gives annotations (`rename`, which
MCP's default makes destructive), and a read-only one with a title (`lookup`)."""

from __future__ import annotations

from typing import TypedDict

from mcp.server import MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations


class Forecast(TypedDict):
    city: str
    celsius: float
    sky: str


class Count(TypedDict):
    items: int


def register(server: MCPServer) -> None:
    @server.tool(title="Weather forecast")
    def forecast(city: str) -> Forecast:
        """The weather in a city, as data."""
        return Forecast(city=city, celsius=21.5, sky="clear")

    @server.tool()
    def miscount() -> Count:
        """A count that is not a number, against its own schema."""
        return CallToolResult(  # type: ignore[return-value]
            content=[TextContent(type="text", text="many items")],
            structured_content={"items": "many"},
        )

    # The schema stays published; the server no longer holds its own result to it.
    server._tool_manager.get_tool("miscount").fn_metadata.output_model = None  # type: ignore[union-attr]

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, title="Wipe everything"))
    def wipe(what: str) -> str:
        """Delete `what` (in name only: it deletes nothing)."""
        return f"wiped {what}"

    @server.tool(annotations=ToolAnnotations(read_only_hint=False))
    def rename(old: str, new: str) -> str:
        """Rename (in name only)."""
        return f"{old} is now {new}"

    @server.tool(title="Look up", annotations=ToolAnnotations(read_only_hint=True))
    def lookup(key: str) -> str:
        """Look a key up."""
        return f"{key}: found"
