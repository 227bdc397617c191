"""Resources of the test MCP server: a text note, a PNG made with Pillow, a PDF with a text
layer made with matplotlib, a template with a parameter, a blob and a text whose size in
kilobytes is a parameter, a tool that gives back a resource link and an embedded resource,
and a tool that adds a resource and says the list changed."""

from __future__ import annotations

import io

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import EmbeddedResource, ResourceLink, TextContent, TextResourceContents

NOTE = "Remember the milk.\nAnd the eggs."


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    from attachment_files import pdf  # type: ignore[import-not-found]  # beside mcp_server.py

    return pdf(["Quarterly report: revenue grew by nine percent."])  # type: ignore[no-any-return]


def register(server: MCPServer) -> None:
    @server.resource(
        "note://shopping", name="shopping", title="Shopping list", mime_type="text/plain"
    )
    def shopping() -> str:
        return NOTE

    @server.resource("picture://blue", name="blue", title="A blue picture", mime_type="image/png")
    def blue() -> bytes:
        return _png()

    @server.resource("doc://report", name="report", title="Report", mime_type="application/pdf")
    def report() -> bytes:
        return _pdf()

    @server.resource(
        "greeting://{person}", name="greeting", title="A greeting", mime_type="text/plain"
    )
    def greeting(person: str) -> str:
        return f"Hello, {person}!"

    @server.resource("blob://{kilobytes}", name="blob", mime_type="application/octet-stream")
    def blob(kilobytes: str) -> bytes:
        return bytes(range(256)) * (int(kilobytes) * 4)

    @server.resource("spelled://{word}", name="spelled", mime_type="text/plain")
    def spelled(word: str) -> bytes:  # text sent as a blob, as some servers do
        return f"{word}, in UTF-8: ü".encode()

    @server.resource("text://{kilobytes}", name="text", mime_type="text/plain")
    def text(kilobytes: str) -> str:
        line = "A line of plain text that a resource gives, numbered {:>9}.\n"  # 64 bytes
        return "".join(line.format(n) for n in range(int(kilobytes) * 16))

    @server.tool()
    def linked() -> list[object]:
        """A resource link and an embedded resource."""
        return [
            TextContent(text="two resources"),
            ResourceLink(uri="note://shopping", name="shopping", mime_type="text/plain"),
            EmbeddedResource(
                resource=TextResourceContents(
                    uri="note://inline", mime_type="text/plain", text="Inline <b>words</b>"
                )
            ),
        ]

    @server.tool()
    async def publish(ctx: Context) -> str:
        """Add the resource note://published and say the list changed."""
        server.resource("note://published", name="published", mime_type="text/plain")(
            lambda: "fresh"
        )
        await ctx.notify_resources_changed()  # to clients of the 2026-07-28 protocol
        await ctx.session.send_resource_list_changed()  # to older clients
        return "published"
