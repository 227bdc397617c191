"""chatdesk's own tools, which need no server, offline and read-only, under the same approval
rules as any other: `search_chats` lets the model search the user's history through the
full-text index; `read_attachment` lets it read more of a document whose text was cut to fit
its context (by the attachment id the cut's note gives), by pages, slides or sheets, or from a
character offset; `search_knowledge` lets it search the user's knowledge bases (decision 0028)."""

from __future__ import annotations

import builtins
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from chatdesk.core.attach.markers import sections
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.knowledge.model import Passage
from chatdesk.core.search.search import Search
from chatdesk.core.store.names import name_key
from chatdesk.core.tools.model import BUILT_IN, Found, ToolInfo, ToolOutcome

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
MAX_PASSAGES = 20
SEARCH_KNOWLEDGE = ToolInfo(
    server=BUILT_IN,
    name="search_knowledge",
    description=(
        "Search the user's knowledge bases in chatdesk (their own files, indexed): returns the "
        "passages that best match, each with its source number, its document, where it is in "
        "it, and its text. Cite a passage you use by its number in brackets, as [3]."
    ),
    parameters={
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "What to look for, in words."},
            "base": {
                "type": "string",
                "description": "The knowledge base to search, by name (default: every one).",
            },
            "limit": {
                "type": "integer",
                "description": f"How many passages at most (1–{MAX_PASSAGES}, default 5).",
                "minimum": 1,
                "maximum": MAX_PASSAGES,
            },
        },
        "required": ["query"],
        "additionalProperties": False,
    },
    read_only=True,
)


class KnowledgeSearch(Protocol):
    """What the tool needs of the knowledge bases (`chatdesk/core/knowledge/service.py`)."""

    async def names(self) -> list[tuple[uuid.UUID, str]]: ...

    async def search(
        self, base_ids: Sequence[uuid.UUID], question: str, limit: int | None = None
    ) -> builtins.list[Passage]: ...


_RANGE = re.compile(r"\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?")

# An attachment's name and text by its id (NotFound when there is none).
ReadAttachment = Callable[[uuid.UUID], Awaitable[tuple[str, str]]]


class ChatdeskTools:
    """The tool source of chatdesk's own tools."""

    server = BUILT_IN

    def __init__(
        self,
        search: Search,
        read_attachment: ReadAttachment,
        knowledge: KnowledgeSearch | None = None,
    ) -> None:
        self._search = search
        self._read_attachment = read_attachment
        self._knowledge = knowledge
        self._offers_knowledge = False

    async def tools(self) -> list[ToolInfo]:
        # search_knowledge is offered once the user has a knowledge base: without one it
        # would only take room in every request.
        self._offers_knowledge = self._knowledge is not None and bool(await self._knowledge.names())
        return self.known_tools()

    def known_tools(self) -> list[ToolInfo]:
        more = [SEARCH_KNOWLEDGE] if self._offers_knowledge else []
        return [SEARCH_CHATS, READ_ATTACHMENT, *more]

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        if name == READ_ATTACHMENT.name:
            return await self._read(arguments)
        if name == SEARCH_KNOWLEDGE.name and self._knowledge is not None:
            return await self._search_knowledge(self._knowledge, arguments)
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

    async def _search_knowledge(
        self, knowledge: KnowledgeSearch, arguments: dict[str, Any]
    ) -> ToolOutcome:
        query, named, limit = (arguments.get(k) for k in ("query", "base", "limit"))
        limit = 5 if limit is None else limit
        if not isinstance(query, str) or not query.strip():
            return ToolOutcome.error("`query` must be a non-empty string.")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PASSAGES:
            return ToolOutcome.error(f"`limit` must be a whole number from 1 to {MAX_PASSAGES}.")
        bases = await knowledge.names()
        if named is not None:
            bases = [(i, name) for i, name in bases if name_key(name) == name_key(str(named))]
            if not bases:
                return ToolOutcome.error(f"There is no knowledge base called {named!r}.")
        if not bases:
            return ToolOutcome.error("The user has no knowledge bases.")
        found = tuple(await knowledge.search([b for b, _ in bases], query, limit=limit))

        def shown(numbers: Sequence[int]) -> str:
            passages = [
                {
                    "source": n,
                    "document": p.name,
                    "where": p.location,
                    "base": p.base,
                    "text": p.text,
                }
                for n, p in zip(numbers, found, strict=True)
            ]
            return json.dumps({"query": query, "passages": passages}, ensure_ascii=False, indent=1)

        text = shown(range(1, len(found) + 1))  # numbered again by the answer that asked
        return ToolOutcome(text, size=len(text), found=Found(found, shown))

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
