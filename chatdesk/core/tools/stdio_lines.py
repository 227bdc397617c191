"""A stdio tool server's transport: the `mcp` SDK's stdio client with a line reader whose cost
grows with a message's length, not with its square.

The SDK's own reader (`mcp.client.stdio.stdio_client`) joins what it has kept of a line to each
chunk of the server's output before splitting it again, so a message of n bytes arriving in
64 KB chunks is copied and scanned about n / 64 KB times: a 10 MB resource read costs most of
a second in that alone, a 30 MB one about ten times more. Here each chunk is scanned once and
a line's chunks are joined once (`Lines`). Everything else is the SDK's, unchanged: the server
started in a kill scope of its own (a process group, or a Windows job object), its stderr to
`errlog`, each line parsed by the SDK's parser (an unparsable line reaches the session as an
error), and the specification's shutdown (stdin closed, a wait, then the whole process tree
killed), bounded and shielded from cancellation.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from mcp.client._transport import TransportStreams
    from mcp.client.stdio import StdioServerParameters


class Lines:
    """Whole lines out of chunks of text: each chunk is scanned for its line breaks once, and
    the pieces of a line that spans chunks are joined once, when its end arrives."""

    def __init__(self) -> None:
        self._pieces: list[str] = []

    def feed(self, chunk: str) -> list[str]:
        """The lines `chunk` ends (without their "\\n"), the first one with what came before
        it; what follows the last line break is kept for the next chunk."""
        if "\n" not in chunk:
            if chunk:
                self._pieces.append(chunk)
            return []
        lines = chunk.split("\n")
        rest = lines.pop()
        if self._pieces:
            self._pieces.append(lines[0])
            lines[0] = "".join(self._pieces)
        self._pieces = [rest] if rest else []
        return lines


@asynccontextmanager
async def stdio_client(
    server: StdioServerParameters, errlog: TextIO
) -> AsyncGenerator[TransportStreams, None]:
    """The server `server` names started and connected over its stdin and stdout, as the
    SDK's `stdio_client` does, with `Lines` reading its output."""
    import anyio
    import anyio.lowlevel
    from anyio.streams.text import TextReceiveStream
    from mcp.client import stdio as sdk
    from mcp.shared.message import SessionMessage

    command = await sdk._get_executable_command(server.command)
    process = await sdk._create_platform_compatible_process(
        command=command,
        args=server.args,
        env=sdk.get_default_environment() | (server.env or {}),
        errlog=errlog,
        cwd=server.cwd,
    )
    # No await between the start and the task group, or a cancellation there leaks the server.
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)
    shutting_down = False
    writer_done = anyio.Event()

    async def stdout_reader() -> None:
        assert process.stdout is not None
        stdout = TextReceiveStream(
            process.stdout, encoding=server.encoding, errors=server.encoding_error_handler
        )
        lines = Lines()
        try:
            async with read_writer:
                try:
                    async for chunk in stdout:
                        for line in lines.feed(chunk):
                            try:
                                await read_writer.send(sdk._parse_line(line))
                            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                                return  # the session is gone; only the drain below remains
                finally:
                    await sdk._drain_stdout(process)
        except anyio.ClosedResourceError:
            pass  # the shutdown closed stdout under the read
        except (anyio.BrokenResourceError, ConnectionError):
            if not shutting_down:
                sdk.logger.exception("Reading from the MCP server's stdout failed mid-session")

    async def stdin_writer() -> None:
        assert process.stdin is not None
        try:
            async with write_reader:
                async for message in write_reader:
                    text = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                    data = (text + "\n").encode(server.encoding, server.encoding_error_handler)
                    await process.stdin.send(data)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            await read_writer.aclose()  # the session sees the connection end
        finally:
            writer_done.set()

    async def shutdown() -> None:
        read_stream.close()  # unblocks the reader into its drain
        write_stream.close()
        with anyio.move_on_after(sdk._WRITER_FLUSH_TIMEOUT) as flush:
            await writer_done.wait()
        if flush.cancelled_caught:
            await anyio.lowlevel.cancel_shielded_checkpoint()
        await sdk._stop_server_process(process)
        await sdk._aclose_all(read_stream, write_stream, read_writer, write_reader)
        await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as group:
        group.start_soon(stdout_reader)
        group.start_soon(stdin_writer)
        try:
            yield read_stream, write_stream
        finally:
            shutting_down = True
            with anyio.CancelScope(shield=True):
                await shutdown()
            group.cancel_scope.cancel()
    await anyio.lowlevel.cancel_shielded_checkpoint()
