"""An MCP server for the tests, written with the `mcp` SDK, run as its own process:
`python -I mcp_server.py stdio`, or `http` or `sse`, which print the port they listen on. Its
tools are what the tests need to see a server behave and misbehave: echo, add, pid, slow,
crash, big, noisy, grow, a read-only peek, and pictures (images made with Pillow: one colour,
several, a bar chart; and a PDF that says it is one). `python -I mcp_server.py silent` never
answers its handshake."""

from __future__ import annotations

import os
import socket
import sys
import time

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, Image
from mcp_types import ToolAnnotations

server: MCPServer = MCPServer(
    "chatdesk-test-tools",
    instructions="Call forecast before answering about the weather.\nSay the sky in words.",
)


@server.tool()
def echo(text: str) -> str:
    """Give the text back."""
    return text


@server.tool()
def add(a: int, b: int) -> str:
    """Add two whole numbers."""
    return str(a + b)


@server.tool()
def pid() -> str:
    """This server's process id."""
    return str(os.getpid())


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def peek() -> str:
    """Look without changing anything; says which environment variables it was given."""
    return " ".join(sorted(os.environ))


@server.tool()
async def slow(seconds: float, notify: int = 0) -> str:
    """Wait, then say so; with `notify`, first tell a test listening on that port of
    127.0.0.1 that the call has started."""
    import anyio

    if notify:
        with socket.create_connection(("127.0.0.1", notify), timeout=30) as told:
            told.sendall(b"started")
    await anyio.sleep(seconds)
    return "done"


@server.tool()
def crash() -> str:
    """Die in the middle of the call."""
    os._exit(3)


@server.tool()
def big(size: int) -> str:
    """Give back `size` characters."""
    return "x" * size


@server.tool()
def noisy() -> str:
    """Write 10 MB and some bytes that are not UTF-8 to stderr."""
    sys.stderr.buffer.write(b"\xff\xfe not utf-8\n" + b"y" * 10_000_000 + b"\n")
    sys.stderr.flush()
    return "written"


@server.tool()
async def grow(ctx: Context) -> str:
    """Add a tool named `grown` and tell the client its list changed."""
    server.add_tool(lambda: "grown up", name="grown", description="Added while running.")
    await ctx.notify_tools_changed()  # to clients of the 2026-07-28 protocol (a listen stream)
    await ctx.session.send_tool_list_changed()  # to older clients (a notification)
    return "grew"


def _png(width: int, height: int, colour: str | tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image as Picture

    out = io.BytesIO()
    Picture.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


@server.tool()
def picture(width: int, height: int, colour: str = "red"):  # type: ignore[no-untyped-def]
    """A picture of one colour, and a line that says what it is."""
    return [f"a {colour} picture, {width}x{height}", Image(data=_png(width, height, colour))]


@server.tool()
def pictures(count: int):  # type: ignore[no-untyped-def]
    """`count` small pictures, each a different shade."""
    return [Image(data=_png(8 + n, 8, (n * 40 % 256, 0, 0))) for n in range(count)]


@server.tool()
def chart(values: str, title: str = "Chart"):  # type: ignore[no-untyped-def]
    """A bar chart of comma-separated numbers."""
    import io

    from PIL import Image as Picture
    from PIL import ImageDraw

    numbers = [float(v) for v in values.split(",") if v.strip()] or [1.0]
    picture = Picture.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((20, 14), title, fill=(40, 40, 40))
    width = 560 // len(numbers)
    for n, value in enumerate(numbers):
        height = int(280 * value / max(numbers))
        left = 40 + n * width
        draw.rectangle((left, 340 - height, left + width - 12, 340), fill=(46, 110, 200))
    draw.line((30, 340, 620, 340), fill=(90, 90, 90), width=2)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return [f"{title}: {len(numbers)} bars", Image(data=out.getvalue())]


@server.tool()
def not_a_picture():  # type: ignore[no-untyped-def]
    """A PDF that says it is a PNG."""
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return Image(data=pdf, format="png")


def _register_parts() -> None:
    """Add the parts of `mcp_parts/` (prompts, resources, questions …), found beside this file
    (`python -I` leaves the script's folder off the path)."""
    import importlib
    import pkgutil

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    import mcp_parts  # type: ignore[import-not-found]

    for part in pkgutil.iter_modules(mcp_parts.__path__):
        importlib.import_module(f"mcp_parts.{part.name}").register(server)


def _serve_http(mode: str) -> None:
    """Listen on a port of 127.0.0.1 chosen here, say it (the first line on stdout) once
    connections to it queue, and serve."""
    import anyio
    import uvicorn

    app = server.streamable_http_app() if mode == "http" else server.sse_app()
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(64)
    print(listening.getsockname()[1], flush=True)
    served = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    anyio.run(lambda: served.serve(sockets=[listening]))


if __name__ == "__main__":
    _register_parts()
    mode = sys.argv[1]
    if mode == "silent":
        time.sleep(600)  # holds stdin open and never answers
    elif mode == "slow":  # a server that takes argv[2] seconds to start, as one fetched first
        time.sleep(float(sys.argv[2]))
        server.run("stdio")
    elif mode in ("http", "sse"):  # sse: the older HTTP transport, GET /sse, POST /messages/
        _serve_http(mode)
    else:
        server.run("stdio")
