"""An MCP server for the tests, written with the `mcp` SDK and run as its own process over stdio
(`python -I mcp_hostile_server.py`), whose text holds a terminal's control sequences: a
resource, a prompt, and a resource and a prompt it refuses with them in its message. Each holds
a window's title set (OSC 0), the screen cleared, a link (OSC 8) and C1 controls (CSI, OSC,
ST)."""

from __future__ import annotations

from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INTERNAL_ERROR

HOSTILE = (
    "Plain start\x1b]0;pwned title\x07 then"
    " \x1b[2Jcleared \x1b]8;;https://evil.example/\x1b\\a link\x1b]8;;\x1b\\"
    " and\x9b31m C1 red\x9d0;c1 title\x9c end\n"
)


server: MCPServer = MCPServer("chatdesk-test-hostile")


def _register() -> None:
    @server.resource("hostile://text", name="hostile", mime_type="text/plain")
    def hostile_text() -> str:
        return HOSTILE

    @server.resource("hostile://refused", name="hostile_refused", mime_type="text/plain")
    def hostile_refused() -> str:
        raise MCPError(code=INTERNAL_ERROR, message=HOSTILE)

    @server.prompt(title="Hostile")
    def hostile() -> str:
        """A prompt whose text holds control sequences."""
        return HOSTILE

    @server.prompt(title="Hostile refusal")
    def hostile_refusal() -> str:
        """A prompt the server refuses, with control sequences in its message."""
        raise MCPError(code=INTERNAL_ERROR, message=HOSTILE)


if __name__ == "__main__":
    _register()
    server.run("stdio")
