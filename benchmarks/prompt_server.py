"""An MCP server of 20 prompts for `benchmarks/mcp_prompts.py`, written with the SDK, over stdio:
`python -I prompt_server.py`."""

from __future__ import annotations

from mcp.server import MCPServer

PROMPTS = 20

server: MCPServer = MCPServer("chatdesk-bench-prompts")


def _add(number: int) -> None:
    def prompt(topic: str = "") -> str:
        return f"Prompt {number} about {topic or 'anything'}."

    server.prompt(
        name=f"prompt_{number}",
        title=f"Prompt number {number}",
        description=f"The benchmark's prompt {number}, with one optional argument.",
    )(prompt)


for _number in range(PROMPTS):
    _add(_number)

if __name__ == "__main__":
    server.run("stdio")
