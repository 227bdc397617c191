"""The tool servers' prompts (MCP's `prompts/list`, `prompts/get`, `completion/complete`), as
`service.tools.prompts`. Each server's list is kept until it says the list changed (or a new
session of it began: `McpServer.prompts_version`), so the slash menu reads the lists it has
(`known`) without starting or asking anything, and asks for the others in the background
(`refresh`). Whatever a server sends is kept as plain values (`prompt_values.py`)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.tools.mcp_refusal import answered
from chatdesk.core.tools.prompt_values import (
    GotPrompt,
    PromptArgument,
    PromptPart,
    ServerPrompt,
)

if TYPE_CHECKING:
    from mcp import Client

    from chatdesk.core.tools.mcp import McpServer
    from chatdesk.core.tools.servers import ServerConfig

log = logging.getLogger("chatdesk.tools")

MAX_PROMPTS = 500  # of one server's list: a server that lists more is cut there
MAX_TEXT = 2_000  # characters of a title or a description kept
MAX_SUGGESTIONS = 100  # what MCP allows a completion to hold


class PromptsUnavailable(ChatdeskError):
    """A server's prompts could not be listed or got; the reason says why."""


class Servers(Protocol):
    """The configured servers the prompts are asked of: `Tools` (service.py), which holds the
    prompts and so sits over this module."""

    def servers(self) -> list[ServerConfig]: ...

    def startable(self, name: str) -> bool: ...

    def source(self, name: str) -> McpServer: ...


class ServerPrompts:
    def __init__(self, tools: Servers) -> None:
        self._tools = tools
        # server -> (its source when listed, its prompts_version then, the list)
        self._kept: dict[str, tuple[McpServer, int, tuple[ServerPrompt, ...]]] = {}

    def known(self) -> list[ServerPrompt]:
        """The prompts of every server that may start, as last listed; starts nothing."""
        known: list[ServerPrompt] = []
        for config in self._tools.servers():
            kept = self._kept.get(config.name)
            if kept is None or not self._tools.startable(config.name):
                continue
            if kept[0] is self._tools.source(config.name):  # not a list of a server replaced
                known += kept[2]
        return known

    def stale(self) -> list[str]:
        """The servers that may start whose list is not known, or changed since."""
        return [
            c.name
            for c in self._tools.servers()
            if self._tools.startable(c.name) and not self._fresh(c.name)
        ]

    async def refresh(self) -> list[ServerPrompt]:
        """List the prompts of the servers whose list is stale (starting them), all at once;
        then the whole known list. A server that fails is left out (its reason logged)."""
        stale = self.stale()
        results = await asyncio.gather(*(self.listed(n) for n in stale), return_exceptions=True)
        for name, result in zip(stale, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                log.info("the prompts of %s were not listed: %s", name, result)
        return self.known()

    async def listed(self, server: str) -> list[ServerPrompt]:
        """The server's prompts (started if it is not running), from what is kept while the
        server has not said they changed."""
        source = self._source(server)
        if self._fresh(server):
            return list(self._kept[server][2])

        async def ask(client: Client) -> tuple[int, tuple[ServerPrompt, ...]]:
            seen = source.prompts_version  # of the session asked (raised when it started)
            return seen, await _all_prompts(client, server)

        seen, listed = await source.request(ask)
        if source.prompts_version == seen:  # not changed while it was being listed
            self._kept[server] = (source, seen, listed)
        return list(listed)

    async def get(
        self, server: str, name: str, arguments: Mapping[str, str] | None = None
    ) -> GotPrompt:
        """The messages of prompt `name` given `arguments` (those left empty are not sent)."""
        prompt = await self._prompt(server, name)
        given = {k: v for k, v in (arguments or {}).items() if v}
        missing = [a.label for a in prompt.arguments if a.required and a.name not in given]
        if missing:
            raise InvalidRequest(
                tr(
                    "{prompt} needs a value for {names}",
                    prompt=prompt.label,
                    names=", ".join(missing),
                )
            )
        got = await self._source(server).request(
            lambda client: answered(
                client.get_prompt(name, given), prompt.label, PromptsUnavailable
            )
        )
        return GotPrompt(server, name, _cut(got.description), _parts(got.messages))

    async def complete(
        self, server: str, name: str, argument: str, value: str, given: Mapping[str, str]
    ) -> list[str]:
        """What the server suggests for `argument` of prompt `name` as typed so far (`value`),
        knowing the other values `given`; none from a server that offers no completions."""
        from mcp_types import PromptReference

        prompt = await self._prompt(server, name)

        async def ask(client: Client) -> list[str]:
            if client.server_capabilities.completions is None:
                return []
            context = {k: v for k, v in given.items() if v and k != argument}
            done = await answered(
                client.complete(
                    PromptReference(name=name),
                    {"name": argument, "value": value},
                    context or None,
                ),
                prompt.label,
                PromptsUnavailable,
            )
            return [str(v) for v in done.completion.values[:MAX_SUGGESTIONS]]

        return await self._source(server).request(ask)

    # -- internals -------------------------------------------------------------------------------

    def _source(self, server: str) -> McpServer:
        source = self._tools.source(server)  # NotFound for a name not configured
        if not self._tools.startable(server):
            raise InvalidRequest(tr("{server} is not running (it may not start)", server=server))
        return source

    def _fresh(self, server: str) -> bool:
        kept = self._kept.get(server)
        if kept is None:
            return False
        source = self._tools.source(server)
        return kept[0] is source and kept[1] == source.prompts_version

    async def _prompt(self, server: str, name: str) -> ServerPrompt:
        for prompt in await self.listed(server):
            if prompt.name == name:
                return prompt
        raise NotFound(tr("{server} has no prompt named {name}", server=server, name=repr(name)))


async def _all_prompts(client: Client, server: str) -> tuple[ServerPrompt, ...]:
    """Every page of the server's prompts (none from a server that offers none)."""
    if client.server_capabilities.prompts is None:
        return ()
    listed: list[Any] = []
    cursor: str | None = None
    while len(listed) < MAX_PROMPTS:
        asked = client.list_prompts(cursor=cursor, cache_mode="refresh")
        page = await answered(asked, server, PromptsUnavailable)
        listed += page.prompts
        cursor = page.next_cursor
        if not cursor:
            break
    return tuple(_prompt_of(server, p) for p in listed[:MAX_PROMPTS])


def _prompt_of(server: str, prompt: Any) -> ServerPrompt:
    arguments = tuple(
        PromptArgument(
            name=a.name,
            title=_cut(a.title),
            description=_cut(a.description),
            required=bool(a.required),
        )
        for a in prompt.arguments or ()
    )
    return ServerPrompt(
        server, prompt.name, _cut(prompt.title), _cut(prompt.description), arguments
    )


def _parts(messages: list[Any]) -> tuple[PromptPart, ...]:
    """The messages of a prompt as plain parts: text, images, embedded resources (a link to
    a resource becomes a line naming it; sound is left out)."""
    parts: list[PromptPart] = []
    for message in messages:
        role, content = str(message.role), message.content
        kind = content.type
        if kind == "text":
            parts.append(PromptPart(role, "text", text=content.text))
        elif kind == "image":
            parts.append(
                PromptPart(role, "image", mime=content.mime_type, data=_bytes(content.data))
            )
        elif kind == "resource":
            inner = content.resource
            text = getattr(inner, "text", None)
            data = b"" if text is not None else _bytes(getattr(inner, "blob", ""))
            mime = inner.mime_type or ""
            parts.append(PromptPart(role, "resource", text or "", mime, data, str(inner.uri)))
        elif kind == "resource_link":
            parts.append(PromptPart(role, "text", text=str(content.uri)))
    return tuple(parts)


def _bytes(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _cut(text: str | None) -> str:
    return (text or "")[:MAX_TEXT]
