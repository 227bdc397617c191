"""The memory's tools, offered while memory is on for a chat (`[memory] offer_tools`):
`remember` keeps what the model proposes, `forget` deletes a memory by its number, and
`update_memory` changes one's words. Each asks the user first unless a rule in Preferences ▸
Tools says otherwise (`Tools.policy_for`): the card shows what would be kept, and the user may
keep it as it is, edit it, or refuse. A memory kept this way says which chat and answer it came
from."""

from __future__ import annotations

from typing import Any

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.memory.model import MAX_CHARS, Origin
from chatdesk.core.memory.service import Memories
from chatdesk.core.tools.model import CALLER, MEMORY, ToolInfo, ToolOutcome

_NUMBER = {
    "type": "integer",
    "description": "The memory's number, as the list of memories gives it ([memory 12]: 12).",
    "minimum": 1,
}
_TEXT = {
    "type": "string",
    "description": (
        f"What to remember about the user, in one or two short sentences (at most {MAX_CHARS:,} "
        "characters), written so it makes sense in a later chat."
    ),
}

REMEMBER = ToolInfo(
    server=MEMORY,
    name="remember",
    description=(
        "Keep something the user wants remembered in later chats: a fact about them, their "
        "work, or how they like answers. Call it when the user asks you to remember something. "
        "The user sees exactly what you propose and may edit or refuse it."
    ),
    parameters={
        "type": "object",
        "properties": {"text": _TEXT},
        "required": ["text"],
        "additionalProperties": False,
    },
)
FORGET = ToolInfo(
    server=MEMORY,
    name="forget",
    description="Delete one of the user's memories, by its number, when the user asks.",
    parameters={
        "type": "object",
        "properties": {"memory": _NUMBER},
        "required": ["memory"],
        "additionalProperties": False,
    },
)
UPDATE_MEMORY = ToolInfo(
    server=MEMORY,
    name="update_memory",
    description="Change the words of one of the user's memories, by its number.",
    parameters={
        "type": "object",
        "properties": {"memory": _NUMBER, "text": _TEXT},
        "required": ["memory", "text"],
        "additionalProperties": False,
    },
)
TOOLS = (REMEMBER, FORGET, UPDATE_MEMORY)


class MemoryTools:
    """The tool source of the memory's tools."""

    server = MEMORY

    def __init__(self, memories: Memories) -> None:
        self._memories = memories

    async def tools(self) -> list[ToolInfo]:
        return self.known_tools()

    def known_tools(self) -> list[ToolInfo]:
        return list(TOOLS)

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        try:
            if name == REMEMBER.name:
                return await self._remember(arguments)
            if name == FORGET.name:
                removed = await self._memories.remove(_number(arguments))
                return _said(f"Memory {removed.id} was deleted.")
            if name == UPDATE_MEMORY.name:
                changed = await self._memories.edit(_number(arguments), _text(arguments))
                return _said(f"Memory {changed.id} now reads: {changed.text}")
        except (ChatdeskError, ValueError) as error:
            return ToolOutcome.error(str(error))
        return ToolOutcome.error(f"The memory has no tool named {name!r}.")

    async def _remember(self, arguments: dict[str, Any]) -> ToolOutcome:
        caller = CALLER.get()
        kept = await self._memories.add(
            _text(arguments),
            origin=Origin.MODEL,
            thread_id=caller.thread_id if caller else None,
            message_id=caller.message_id if caller else None,
        )
        return _said(f"Kept as memory {kept.id}: {kept.text}")


def _number(arguments: dict[str, Any]) -> int:
    value = arguments.get("memory")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("`memory` must be a memory's number, as 12.")
    return value


def _text(arguments: dict[str, Any]) -> str:
    value = arguments.get("text")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("`text` must say what to remember.")
    return value


def _said(text: str) -> ToolOutcome:
    return ToolOutcome(text, size=len(text))
