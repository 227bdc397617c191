"""chatdesk's own tools, which need no server, offline and read-only, under the same approval
rules as any other: `search_chats` lets the model search the user's history through the
full-text index; `read_attachment` lets it read more of a document whose text was cut to fit
its context (by the attachment id the cut's note gives), by pages, slides or sheets, or from a
character offset."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from chatdesk.core.chat.attachments import sections
from chatdesk.core.errors import InvalidRequest, NotFound
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


READ_CHARS = 20_000  # characters read from an offset at a time
READ_ATTACHMENT = ToolInfo(
    server=BUILT_IN,
    name="read_attachment",
    description=(
        "Read more of a document attached in this chat whose text was cut to fit the context "
        "(the note where it was cut gives its attachment id): the pages, slides or sheets "
        f"wanted, or {READ_CHARS:,} characters from an offset."
    ),
    parameters={
        "type": "object",
        "properties": {
            "attachment": {"type": "string", "description": "The attachment id."},
            "pages": {
                "type": "string",
                "description": 'Pages, slides or sheets, counted from 1: "9" or "9-20".',
            },
            "offset": {
                "type": "integer",
                "description": "Where to start, in characters (for text without pages).",
                "minimum": 0,
            },
        },
        "required": ["attachment"],
        "additionalProperties": False,
    },
    read_only=True,
)
_RANGE = re.compile(r"\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?")

# An attachment's name and text by its id (NotFound when there is none).
ReadAttachment = Callable[[uuid.UUID], Awaitable[tuple[str, str]]]


class ChatdeskTools:
    """The tool source of chatdesk's own tools."""

    server = BUILT_IN

    def __init__(self, search: Search, read_attachment: ReadAttachment) -> None:
        self._search = search
        self._read_attachment = read_attachment

    async def tools(self) -> list[ToolInfo]:
        return [SEARCH_CHATS, READ_ATTACHMENT]

    def known_tools(self) -> list[ToolInfo]:
        return [SEARCH_CHATS, READ_ATTACHMENT]

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        if name == READ_ATTACHMENT.name:
            return await self._read(arguments)
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

    async def _read(self, arguments: dict[str, Any]) -> ToolOutcome:
        given, pages, offset = (arguments.get(k) for k in ("attachment", "pages", "offset"))
        try:
            name, text = await self._read_attachment(uuid.UUID(str(given)))
        except (ValueError, NotFound):
            return ToolOutcome.error(f"There is no attachment with the id {given!r}.")
        if not text:
            return ToolOutcome.error(f"{name} has no text to read (an image, or an empty file).")
        if pages is not None:
            return _pages(name, text, pages)
        if offset is None:
            offset = 0
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            return ToolOutcome.error("`offset` must be a whole number of characters, 0 or more.")
        if offset >= len(text):
            return ToolOutcome.error(
                f"{name} has {len(text):,} characters; the offset is past them."
            )
        end = min(offset + READ_CHARS, len(text))
        said = f"[{name}: characters {offset:,}–{end:,} of {len(text):,}]\n{text[offset:end]}"
        return ToolOutcome(said, size=len(said))


def _pages(name: str, text: str, pages: object) -> ToolOutcome:
    found = _RANGE.fullmatch(pages) if isinstance(pages, str) else None
    if found is None:
        return ToolOutcome.error('`pages` must be a page or a range, as "9" or "9-20".')
    first = int(found[1])
    last = int(found[2] or first)
    chosen, count = sections(text, first, last)
    if not count:
        return ToolOutcome.error(f"{name} has no pages, slides or sheets: read it by `offset`.")
    if not 1 <= first <= last or not chosen:
        return ToolOutcome.error(f"{name} has {count} pages, slides or sheets; ask for 1–{count}.")
    said = f"[{name}: {first}–{min(last, count)} of {count}]\n{chosen}"
    return ToolOutcome(said, size=len(said))
