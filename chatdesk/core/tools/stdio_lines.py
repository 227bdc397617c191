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

import logging
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from mcp.client._transport import TransportStreams
    from mcp.client.stdio import StdioServerParameters
    from mcp.os.win32.utilities import ServerProcess


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


@dataclass
class Parting:
    """How long a server is given to exit by itself once its stdin is closed, before its
    process tree is ended: None is the SDK's grace (2 s, then up to 2 s more after SIGTERM).
    A command line the user interrupted gives it `HURRIED` instead: the user is waiting for
    the shell, and a call it was running was cancelled already."""

    grace: float | None = None


HURRIED = 0.25  # seconds; a server that reads its stdin's end exits within it when idle

log = logging.getLogger("chatdesk.tools")
# The SDK's helpers `stdio_client` is built on (private to it: see `connect`).
HELPERS = (
    "_get_executable_command",
    "_create_platform_compatible_process",
    "_parse_line",
    "_drain_stdout",
    "_WRITER_FLUSH_TIMEOUT",
    "_stop_server_process",
    "_close_pipe",
    "_wait_for_process_exit",
    "_terminate_process_tree",
    "_aclose_all",
    "get_default_environment",
    "logger",
)


def connect(
    server: StdioServerParameters, errlog: TextIO, parting: Parting | None = None
) -> AbstractAsyncContextManager[TransportStreams]:
    """chatdesk's `stdio_client` where the installed SDK has every helper it is built on; else,
    should a release of the SDK have renamed one, the SDK's own client: slower with large
    messages, its own grace at the end, never broken."""
    from mcp.client import stdio as sdk

    missing = [name for name in HELPERS if not hasattr(sdk, name)]
    if not missing:
        return stdio_client(server, errlog, parting or Parting())
    log.warning("the mcp SDK lacks %s: its own stdio reader is used", ", ".join(missing))
    return sdk.stdio_client(server, errlog=errlog)


@asynccontextmanager
async def stdio_client(
    server: StdioServerParameters, errlog: TextIO, parting: Parting
) -> AsyncGenerator[TransportStreams, None]:
    """The server `server` names started and connected over its stdin and stdout, as the
    SDK's `stdio_client` does, with `Lines` reading its output, ended within `parting`."""
    import anyio
    import anyio.lowlevel
    from mcp.client import stdio as sdk

    command = await sdk._get_executable_command(server.command)
    process = await sdk._create_platform_compatible_process(
        command=command,
        args=server.args,
        env=sdk.get_default_environment() | (server.env or {}),
        errlog=errlog,
        cwd=server.cwd,
    )
    # No await between the start and the task group, or a cancellation there leaks the server.
    pipes = _Pipes(server, process, parting)
    async with anyio.create_task_group() as group:
        group.start_soon(pipes.read_stdout)
        group.start_soon(pipes.write_stdin)
        try:
            yield pipes.read_stream, pipes.write_stream
        finally:
            pipes.shutting_down = True
            with anyio.CancelScope(shield=True):
                await pipes.shutdown()
            group.cancel_scope.cancel()
    await anyio.lowlevel.cancel_shielded_checkpoint()


class _Pipes:
    """The server's stdin and stdout, bridged to the session's streams."""

    def __init__(
        self, server: StdioServerParameters, process: ServerProcess, parting: Parting
    ) -> None:
        import anyio
        from mcp.shared.message import SessionMessage

        self.server = server
        self.process = process
        self.parting = parting
        self.read_writer, self.read_stream = anyio.create_memory_object_stream[
            SessionMessage | Exception
        ](0)
        self.write_stream, self.write_reader = anyio.create_memory_object_stream[SessionMessage](0)
        self.shutting_down = False
        self.writer_done = anyio.Event()

    async def read_stdout(self) -> None:
        import anyio
        from anyio.streams.text import TextReceiveStream
        from mcp.client import stdio as sdk

        assert self.process.stdout is not None
        server = self.server
        stdout = TextReceiveStream(
            self.process.stdout, encoding=server.encoding, errors=server.encoding_error_handler
        )
        lines = Lines()
        try:
            async with self.read_writer:
                try:
                    async for chunk in stdout:
                        for line in lines.feed(chunk):
                            try:
                                await self.read_writer.send(sdk._parse_line(line))
                            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                                return  # the session is gone; only the drain below remains
                finally:
                    await sdk._drain_stdout(self.process)
        except anyio.ClosedResourceError:
            pass  # the shutdown closed stdout under the read
        except (anyio.BrokenResourceError, ConnectionError):
            if not self.shutting_down:
                sdk.logger.exception("Reading from the MCP server's stdout failed mid-session")

    async def write_stdin(self) -> None:
        import anyio

        stdin = self.process.stdin
        assert stdin is not None
        encoding, errors = self.server.encoding, self.server.encoding_error_handler
        try:
            async with self.write_reader:
                async for message in self.write_reader:
                    text = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                    await stdin.send((text + "\n").encode(encoding, errors))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            await self.read_writer.aclose()  # the session sees the connection end
        finally:
            self.writer_done.set()

    async def shutdown(self) -> None:
        import anyio
        import anyio.lowlevel
        from mcp.client import stdio as sdk

        self.read_stream.close()  # unblocks the reader into its drain
        self.write_stream.close()
        with anyio.move_on_after(sdk._WRITER_FLUSH_TIMEOUT) as flush:
            await self.writer_done.wait()
        if flush.cancelled_caught:
            await anyio.lowlevel.cancel_shielded_checkpoint()
        await _stop(self.process, self.parting.grace)
        streams = (self.read_stream, self.write_stream, self.read_writer, self.write_reader)
        await sdk._aclose_all(*streams)
        await anyio.lowlevel.checkpoint()


async def _stop(process: ServerProcess, grace: float | None) -> None:
    """The SDK's shutdown of the server (stdin closed, a wait, the tree ended), after its
    process tree was ended already when it outlived a shorter `grace`."""
    from mcp.client import stdio as sdk

    if grace is not None:
        assert process.stdin is not None
        await sdk._close_pipe(process.stdin)
        if not await sdk._wait_for_process_exit(process, grace):
            log.info("MCP server process %d ended after a %g s grace", process.pid, grace)
            await sdk._terminate_process_tree(process)
    await sdk._stop_server_process(process)
