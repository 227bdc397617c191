"""Prompts of the test MCP server: one without arguments, one with a required and an optional
argument whose values the server completes, one giving an image and an embedded resource, and
a tool (`more_prompts`) that adds a prompt and tells the client its prompt list changed."""

from __future__ import annotations

import io
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, Image
from mcp.server.mcpserver.prompts.base import AssistantMessage, Message, UserMessage
from mcp_types import Completion, EmbeddedResource, PromptReference, TextResourceContents
from pydantic import Field

LANGUAGES = ["python", "perl", "php", "rust", "ruby"]


def _png() -> bytes:
    from PIL import Image as Picture

    out = io.BytesIO()
    Picture.new("RGB", (12, 8), "blue").save(out, "PNG")
    return out.getvalue()


def register(server: MCPServer) -> None:
    @server.prompt(title="Say hello")
    def greeting() -> str:
        """A greeting, with nothing to fill in."""
        return "Hello from the test server."

    @server.prompt(title="Review code")
    def review(
        language: str = Field(description="The language the code is in"),
        focus: str = "",
    ) -> list[Message]:
        """Ask for a review of some code."""
        text = f"Review this {language} code" + (f", looking at {focus}." if focus else ".")
        return [UserMessage(text), AssistantMessage("Paste the code below.")]

    @server.prompt()
    def picture_and_notes() -> list[Message]:
        """An image and a file of notes, embedded."""
        notes = TextResourceContents(uri="file:///notes.txt", mime_type="text/plain", text="n1\nn2")
        return [
            UserMessage("Look at these."),
            UserMessage(Image(data=_png(), format="png")),
            UserMessage(EmbeddedResource(type="resource", resource=notes)),
        ]

    @server.prompt(title="<b>Bold</b> title", description='<img src="http://127.0.0.1:9/x">')
    def markup() -> str:
        return "<i>not italic</i>"

    earlier = server._lowlevel_server._request_handlers.get("completion/complete")

    @server.completion()
    async def complete(ref: Any, argument: Any, context: Any) -> Completion | None:
        if isinstance(ref, PromptReference) and ref.name == "review":
            if argument.name == "language":
                found = [v for v in LANGUAGES if v.startswith(argument.value)]
                return Completion(values=found, total=len(found), has_more=False)
            return Completion(values=[])
        return None  # another part's (a resource template's) completions are its own

    if earlier is not None:  # another part answered completions first: it keeps its refs
        mine = server._lowlevel_server._request_handlers["completion/complete"]

        async def either(ctx: Any, params: Any) -> Any:
            if isinstance(params.ref, PromptReference):
                return await mine.handler(ctx, params)
            return await earlier.handler(ctx, params)

        server._lowlevel_server.add_request_handler("completion/complete", mine.params_type, either)

    @server.tool()
    async def more_prompts(ctx: Context) -> str:
        """Add a prompt named `added` and tell the client its prompt list changed."""

        @server.prompt(title="Added later")
        def added() -> str:
            """Added while running."""
            return "added text"

        await ctx.notify_prompts_changed()  # to clients of the 2026-07-28 protocol
        await ctx.session.send_prompt_list_changed()  # to older clients
        return "more"
