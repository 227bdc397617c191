"""Resources of the test MCP server for reading large messages over stdio: a text of N
kilobytes of UTF-8 whose characters take one to four bytes each, so that chunks of the
server's output end in the middle of a character as well as in the middle of a line."""

from __future__ import annotations

from mcp.server import MCPServer

WIDE = "ascii ä € 😀 and a line break\n"  # 1, 2, 3 and 4 bytes a character; 36 bytes


def wide_text(kilobytes: int) -> str:
    """About `kilobytes` KB of `WIDE`, each line numbered so that no two are alike."""
    return "".join(f"{n:>8} {WIDE}" for n in range(kilobytes * 1024 // 45))


def register(server: MCPServer) -> None:
    @server.resource("wide://{kilobytes}", name="wide", mime_type="text/plain")
    def wide(kilobytes: str) -> str:
        return wide_text(int(kilobytes))
