"""Server text that looks like markup, for the window to show as it is: a tool whose
description holds tags and an image address, and a tool asking a question whose value is
described the same way."""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

MARKUP = '<b>x</b><img src="file:///etc/passwd">'


class Marked(BaseModel):
    word: str = Field(default="", title="Word", description=MARKUP)


def _marked() -> Elicit[Marked]:
    return Elicit("Say a word.", Marked)


async def ask_marked(answer: Annotated[ElicitationResult[Marked], Resolve(_marked)]) -> str:
    """Ask for a word described with markup, then say what the answer was."""
    return "accept" if isinstance(answer, AcceptedElicitation) else str(answer.action)


def marked_up() -> str:
    return "marked"


marked_up.__doc__ = MARKUP


def register(server: MCPServer) -> None:
    server.tool()(ask_marked)
    server.tool()(marked_up)
