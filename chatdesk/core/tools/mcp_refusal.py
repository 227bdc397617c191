"""A tool server's refusal of a request (a prompt it will not give, a resource it will not
read) as the words the user reads, with the server's own message; a closed connection is left
to the session, which starts the server again on the next use."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

T = TypeVar("T")


async def answered(request: Awaitable[T], label: str, refused: type[ChatdeskError]) -> T:
    """The answer to `request`, or `refused("{label}: the server said: …")`."""
    from mcp.shared.exceptions import MCPError
    from mcp_types.jsonrpc import CONNECTION_CLOSED

    try:
        return await request
    except MCPError as error:
        if error.code == CONNECTION_CLOSED:
            raise
        raise refused(
            tr("{prompt}: the server said: {reason}", prompt=label, reason=error.message)
        ) from None
