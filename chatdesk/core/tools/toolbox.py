"""The tools a request offers, and running one call within its time and size bounds."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from chatdesk.core.answer_parts import LeftOutWhy, ServerLeftOut
from chatdesk.core.providers.base import ToolSpec
from chatdesk.core.tools import instructions
from chatdesk.core.tools.model import ToolInfo, ToolOutcome, ToolSource, offered_name

log = logging.getLogger("chatdesk.tools")


@dataclass(frozen=True)
class Offer:
    """What one answer offers the model: each tool by the name the model calls it."""

    tools: Mapping[str, ToolInfo] = field(default_factory=dict)
    # What each server of these tools said of how to use them (`instructions.py`).
    instructions: Mapping[str, str] = field(default_factory=dict)
    # The servers asked for that offer nothing this time, and why: the answer goes on
    # without them, and the user is told.
    left_out: tuple[ServerLeftOut, ...] = ()

    @property
    def specs(self) -> tuple[ToolSpec, ...]:
        return tuple(
            ToolSpec(name, info.description, info.parameters) for name, info in self.tools.items()
        )

    def __bool__(self) -> bool:
        return bool(self.tools)

    @property
    def guidance(self) -> str:
        """The servers' instructions as the system message holds them ("": none)."""
        return instructions.section(self.instructions)

    def described(self) -> str:
        """The tools as a request sends them (for counting the room they take)."""
        specs = [
            {"name": s.name, "description": s.description, "parameters": dict(s.parameters)}
            for s in self.specs
        ]
        return json.dumps(specs, ensure_ascii=False)


class Toolbox:
    """Every tool source chatdesk knows, by server name."""

    def __init__(self, sources: Iterable[ToolSource] = ()) -> None:
        self._sources = {source.server: source for source in sources}

    def add(self, source: ToolSource) -> None:
        self._sources[source.server] = source

    def remove(self, server: str) -> None:
        self._sources.pop(server, None)

    def servers(self) -> list[str]:
        return sorted(self._sources)

    def known_offer(self, servers: Iterable[str]) -> Offer:
        """What `offer` would give from what the servers told last, starting none (the
        context gauge counts it; a server not asked yet counts for nothing)."""
        tools: dict[str, ToolInfo] = {}
        for server in servers:
            source = self._sources.get(server)
            for info in (source.known_tools() if source is not None else None) or ():
                tools[offered_name(info, set(tools))] = info
        return Offer(tools)

    async def offer(self, servers: Iterable[str]) -> Offer:
        """The tools of `servers` (those chatdesk knows). A server that is not here, or cannot
        list its tools, offers none this time and is named in `left_out`; the answer goes on
        without it."""
        tools: dict[str, ToolInfo] = {}
        left_out: list[ServerLeftOut] = []
        for server in servers:
            source = self._sources.get(server)
            if source is None:
                log.info("tools of %r asked for, but it cannot be started", server)
                left_out.append(ServerLeftOut(server, LeftOutWhy.UNKNOWN))
                continue
            try:
                listed = await source.tools()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("could not list the tools of %r: %s", server, type(error).__name__)
                left_out.append(ServerLeftOut(server, LeftOutWhy.FAILED, str(error)))
                continue
            for info in listed:
                tools[offered_name(info, set(tools))] = info
        return Offer(tools, left_out=tuple(left_out))

    async def run(
        self, info: ToolInfo, arguments: dict[str, Any], *, seconds: float, max_chars: int
    ) -> ToolOutcome:
        """Run one call: its outcome, an error outcome when the tool fails, is gone or takes
        longer than `seconds`, its text cut to `max_chars` with a visible marker."""
        source = self._sources.get(info.server)
        if source is None:
            return ToolOutcome.error(f"{info.label}: its server is no longer configured.")
        try:
            async with asyncio.timeout(seconds):
                outcome = await source.call(info.name, arguments)
        except TimeoutError:
            return ToolOutcome.error(f"{info.label} did not answer within {seconds:g} seconds.")
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("tool %s failed: %s", info.label, type(error).__name__)
            return ToolOutcome.error(f"{info.label} failed: {error}")
        return capped(outcome, max_chars)


def capped(outcome: ToolOutcome, max_chars: int) -> ToolOutcome:
    if len(outcome.structured) > max_chars:  # shown only, and cut the same way
        cut = len(outcome.structured) - max_chars
        structured = (
            f"{outcome.structured[:max_chars]}\n\n[… {cut:,} more characters cut by chatdesk]"
        )
        outcome = replace(outcome, structured=structured)
    size = max(outcome.size, len(outcome.text))
    if len(outcome.text) <= max_chars:
        return replace(outcome, size=size)
    cut = len(outcome.text) - max_chars
    text = f"{outcome.text[:max_chars]}\n\n[… {cut:,} more characters cut by chatdesk]"
    return replace(outcome, text=text, truncated=True, size=size)


def parse_arguments(text: str) -> dict[str, Any] | str:
    """A call's arguments as an object, or why they are not one (told to the model)."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return f"The arguments are not valid JSON ({error.msg} at character {error.pos})."
    if not isinstance(value, dict):
        return "The arguments must be a JSON object."
    return value
