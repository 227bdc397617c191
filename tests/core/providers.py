"""Test providers behind the real Provider protocol (no patching of chatdesk internals)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from chatdesk.core.providers.base import (
    ChatRequest,
    Finished,
    StreamEvent,
    TextDelta,
    UsageReport,
)


class ScriptedProvider:
    """Streams the given tokens; `gate` lets a test hold the stream after `hold_after` tokens."""

    name = "scripted"

    def __init__(
        self,
        tokens: list[str],
        *,
        hold_after: int | None = None,
        on_request: Callable[[ChatRequest], None] | None = None,
    ) -> None:
        self.tokens = tokens
        self.hold_after = hold_after
        self.gate = asyncio.Event()
        self.held = asyncio.Event()
        self.requests: list[ChatRequest] = []
        self.closed_streams = 0
        self._on_request = on_request

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        if self._on_request is not None:
            self._on_request(request)
        try:
            for index, token in enumerate(self.tokens):
                if index == self.hold_after:
                    self.held.set()
                    await self.gate.wait()
                yield TextDelta(token)
            yield UsageReport(prompt_tokens=11, completion_tokens=len(self.tokens))
            yield Finished()
        finally:
            self.closed_streams += 1

    async def aclose(self) -> None:
        return None


def user_rows(database: Path) -> list[str]:
    """User messages as another process would see them (a separate raw connection)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT content FROM messages WHERE role = 'user'")
        return [row[0] for row in rows]


def stored(database: Path, message_id: object) -> tuple[str, str]:
    hex_id = getattr(message_id, "hex", str(message_id))
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT status, content FROM messages WHERE id = ?", (hex_id,)
        ).fetchone()
    return row[0], row[1]
