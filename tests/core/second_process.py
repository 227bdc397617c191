"""A second chatdesk process on the test's data folder: `chatdesk ask …`, or one that drives the
core through its surface as the local API does (`delete_message(id)`, which the command line
cannot do)."""

from __future__ import annotations

import sys

DELETE_MESSAGE = """
import asyncio, sys, uuid
from chatdesk.app import build_core; from chatdesk.configuration import configure

async def main() -> None:
    core = build_core(configure())
    await core.start()
    try:
        await core.service.delete_message(uuid.UUID(sys.argv[1]))
    finally:
        await core.aclose()

asyncio.run(main())
"""


def delete_message_command(message_id: object) -> list[str]:
    """The command line of a process that deletes `message_id` (and what follows it)."""
    return [sys.executable, "-c", DELETE_MESSAGE, str(message_id)]


def ask_command(*args: str) -> list[str]:
    """The command line of `chatdesk ask …`, run as a user runs it."""
    return [sys.executable, "-m", "chatdesk", "ask", *args]
