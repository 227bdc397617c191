"""chatdesk's own tools, which need no server: `search_chats` lets the model search the user's
history through the full-text index (offline, read-only, under the same approval rules)."""

from __future__ import annotations

import json
from typing import Any

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.search.search import Search
from chatdesk.core.tools.model import BUILT_IN, ToolInfo, ToolOutcome

MAX_HITS = 25

SEARCH_CHATS = ToolInfo(
    server=BUILT_IN,
    name="search_chats",
    description=(
        "Search the user's earlier chats in chatdesk (full-text, every word must match). "
        "Returns matching chat titles and message snippets with their thread and message ids."
    ),
    parameters={
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Words to look for."},
            "limit": {
                "type": "integer",
                "description": f"How many messages at most (1–{MAX_HITS}, default 10).",
                "minimum": 1,
                "maximum": MAX_HITS,
            },
        },
        "required": ["query"],
        "additionalProperties": False,
    },
    read_only=True,
)


class ChatdeskTools:
    """The tool source of chatdesk's own tools."""

    server = BUILT_IN

    def __init__(self, search: Search) -> None:
        self._search = search

    async def tools(self) -> list[ToolInfo]:
        return [SEARCH_CHATS]

    def known_tools(self) -> list[ToolInfo]:
        return [SEARCH_CHATS]

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        if name != SEARCH_CHATS.name:
            return ToolOutcome.error(f"chatdesk has no tool named {name!r}.")
        query, limit = arguments.get("query"), arguments.get("limit", 10)
        if not isinstance(query, str) or not query.strip():
            return ToolOutcome.error("`query` must be a non-empty string.")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_HITS:
            return ToolOutcome.error(f"`limit` must be a whole number from 1 to {MAX_HITS}.")
        try:
            found = await self._search.search(query, limit=limit)
        except InvalidRequest as error:
            return ToolOutcome.error(str(error))
        result = {
            "query": query,
            "chats": [
                {"thread_id": str(hit.thread_id), "title": hit.title.text}
                for hit in found.threads[:limit]
            ],
            "messages": [
                {
                    "thread_id": str(hit.thread_id),
                    "message_id": str(hit.message_id),
                    "chat": hit.thread_title,
                    "role": str(hit.role),
                    "date": hit.created_at.date().isoformat(),
                    "snippet": hit.snippet.text,
                }
                for hit in found.messages
            ],
        }
        text = json.dumps(result, ensure_ascii=False, indent=1)
        return ToolOutcome(text, size=len(text))
