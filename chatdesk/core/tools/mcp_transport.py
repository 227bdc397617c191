"""How chatdesk reaches one MCP server: the SDK's transport for it, and the log its stderr and
log messages go to (mcp.py holds the session over it).

A stdio server starts with the environment every child of chatdesk gets
(chatdesk/core/trust/environment.py: the user, the locale, the proxies …, never a key or a
password; PATH as the user's login shell has it) plus its own configured variables, in the
user's home folder (never the folder chatdesk was started in). An HTTP server gets its
configured headers and its sign-in; the SDK is imported only here, when a server starts.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.shell_path import login_shell_path
from chatdesk.core.tools.stdio_lines import Parting, connect
from chatdesk.core.trust.environment import child_environment

MAX_LOG_BYTES = 1_000_000  # a server's stderr log is started afresh past this size


async def stdio_transport(
    config: ServerConfig, secrets: dict[str, str], log_path: Path | None, parting: Parting
) -> tuple[Any, TextIO, None]:
    """The transport that starts `config`'s command, with `secrets` in its environment, and
    the log its stderr goes to; `parting` bounds its end."""
    from mcp.client.stdio import StdioServerParameters

    path = await asyncio.to_thread(login_shell_path)
    errors = open_log(log_path, config.name)
    # The SDK lays this over its own short list (HOME, PATH, USER …), all of which this
    # already holds: it adds nothing.
    parameters = StdioServerParameters(
        command=config.command,
        args=list(config.args),
        env=child_environment(
            os.environ, sys.platform, given=({"PATH": path} if path else {}) | secrets
        ),
        cwd=Path.home(),
        encoding_error_handler="replace",
    )
    return connect(parameters, errors, parting), errors, None


def http_transport(
    config: ServerConfig, kind: Transport, headers: dict[str, str], auth: Any
) -> tuple[Any, None, Any]:
    """The transport of `kind` (Streamable HTTP or the older SSE) to `config`'s address, and
    the HTTP client made for it, which the SDK leaves open (None when the SDK makes its own)."""
    if kind is Transport.SSE:
        from mcp.client.sse import sse_client

        return sse_client(config.url, headers=headers, auth=auth), None, None
    from mcp.client.streamable_http import streamable_http_client

    if not headers and auth is None:
        return streamable_http_client(config.url), None, None
    import httpx2

    client = httpx2.AsyncClient(
        headers=headers, auth=auth, timeout=httpx2.Timeout(30.0, read=300.0)
    )
    return streamable_http_client(config.url, http_client=client), None, client


def open_log(path: Path | None, server: str) -> TextIO:
    """The log file at `path` (started afresh past MAX_LOG_BYTES), opened to add to, or
    nowhere when `path` is None; its opener closes it."""
    from chatdesk.core.paths import create_private_file, ensure_private_dir

    if path is None:
        return open(os.devnull, "w", encoding="utf-8")
    ensure_private_dir(path.parent)
    if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
        path.replace(path.with_suffix(".log.1"))
    create_private_file(path)
    stream = path.open("a", encoding="utf-8", errors="replace")
    stream.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {server}\n")
    stream.flush()
    return stream
