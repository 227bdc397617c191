"""The tools as the rest of chatdesk sees them: the sources (`Toolbox`: chatdesk's own tools and
one `McpServer` per configured server), the configured servers and the policies (the tools
file), the servers' secret values (the keyring), the approver the window or the terminal puts
in place, and the settings that bound every call. No server starts until it is first used.

Changes (a policy, a tick, an allowed command) take effect at once; the tools file is written
after them on a thread of its own, in order, since writing it waits for the disk (`saved`
waits for it and says when it failed)."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.answer_parts import LeftOutWhy, ServerLeftOut
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.tools.approval import Approver, Policies
from chatdesk.core.tools.loop import ToolsLoop
from chatdesk.core.tools.mcp_prompts import ServerPrompts
from chatdesk.core.tools.mcp_resources import Resources
from chatdesk.core.tools.model import BUILT_IN, MEMORY, WEB, Policy, ToolInfo, ToolSource
from chatdesk.core.tools.questions import Asker
from chatdesk.core.tools.server_secrets import ServerSecrets
from chatdesk.core.tools.servers import ReadServers, ServerConfig, Transport, parse_servers_text
from chatdesk.core.tools.toolbox import Offer, Toolbox
from chatdesk.core.tools.tools_file import (
    TOOLS_FILE,
    ToolsFileContents,
    write_tools_file,
)

if TYPE_CHECKING:  # a server's client and signing in load with the first server configured
    from chatdesk.core.tools.mcp import McpServer
    from chatdesk.core.tools.signin import SignIn
    from chatdesk.core.web.addresses import Resolver

__all__ = ["TOOLS_FILE", "Tools"]

log = logging.getLogger("chatdesk.tools")


class Tools:
    def __init__(
        self,
        settings: Callable[[], Settings],
        file: Path | None,
        read: ToolsFileContents,
        secrets: ServerSecrets,
        sources: tuple[ToolSource, ...] = (),
        *,
        log_dir: Path | None = None,
    ) -> None:
        """Tools over what the tools file held (`read`, read by the caller); changes are saved
        to `file` (None: not kept)."""
        self._settings = settings
        self._file = file
        self.problems = read.problems  # what the tools file held that could not be used
        self._servers = {server.name: server for server in read.servers}
        self.policies = Policies(read.policies, saved=self._save)
        # Told after each change of the servers or the policies (the window's Tools menu).
        self.changed: Callable[[], None] = lambda: None
        self._off = set(read.off)  # "server/tool": never offered to the model
        self.secrets = secrets
        self.loop = ToolsLoop()
        # Where each server's stderr goes; None: nowhere (no folder was given to keep it).
        self._log_dir = log_dir
        self.box = Toolbox(sources)
        self._mcp: dict[str, McpServer] = {}
        # Set when chatdesk leaves because the user interrupted it: `aclose` gives each stdio
        # server a short grace to exit by itself rather than the SDK's seconds.
        self.hurried = False
        self.resources = Resources(
            self.source, self.startable, lambda: [s.name for s in self.servers()], settings
        )
        for server in self._servers.values():
            self._attach(server)
        # Set by the window or the terminal; with none, a call that needs asking never runs.
        self.approver: Approver | None = None
        self.prompts = ServerPrompts(self)  # the servers' prompts, for the slash menu
        # Set by the window or the terminal; with none, a server's question is declined.
        self.asker: Asker | None = None
        self._writer: ThreadPoolExecutor | None = None  # made on the first change
        self._written: Future[None] | None = None  # the latest write of the tools file

    @property
    def settings(self) -> Settings:
        return self._settings()

    @functools.cached_property
    def signin(self) -> SignIn:
        """Signing in to the servers that ask for it, made on first use (a server over HTTP
        attached, a sign-in asked for): with no such server, nothing of it is loaded."""
        from chatdesk.core.tools.signin import SignIn

        return SignIn(self.server, self.secrets.keys, renew=self._renew)

    async def web_problem(self, resolver: Resolver | None = None) -> str | None:
        """What keeps the web's search from working now (no network, a SearXNG not there), or
        None: the engine's server name looked up, bounded, by `resolver` (the system's)."""
        from chatdesk.core.web.addresses import system_resolver
        from chatdesk.core.web.online import engine_reachable

        return await engine_reachable(self.settings.web, resolver or system_resolver)

    async def fetch_image(self, url: str) -> bytes:
        """The bytes of an image a message links to, fetched off the loop's thread once the user
        asked to load its images. Raises `ImageFetchFailed`."""
        from chatdesk.core.render.images import fetch_image

        return await asyncio.to_thread(fetch_image, url)

    def check_servers(self, servers: Iterable[str]) -> None:
        """NotFound naming those of `servers` that are not tool servers."""
        known = {*self.box.servers(), *(s.name for s in self.servers())}
        unknown = sorted(set(servers) - known)
        if unknown:
            said = {"names": ", ".join(unknown), "known": ", ".join(sorted(known)) or tr("none")}
            raise NotFound(tr("no tool server named {names} (known: {known})", **said))

    async def offer(self, servers: Iterable[str]) -> Offer:
        """The tools of `servers` a request offers: all but those switched off; the servers
        that offer none this time are named with why (`Offer.left_out`)."""
        offer = await self.box.offer(servers)
        left_out = tuple(
            _as_told(left, self._servers.get(left.server), self._mcp.get(left.server), self)
            for left in offer.left_out
        )
        return dataclasses.replace(self._without_off(offer), left_out=left_out)

    def known_offer(self, servers: Iterable[str]) -> Offer:
        """The same from what the servers told last, starting none (for the context gauge)."""
        return self._without_off(self.box.known_offer(servers))

    def is_on(self, tool: ToolInfo) -> bool:
        return f"{tool.server}/{tool.name}" not in self._off

    def switch_tool(self, tool: ToolInfo, on: bool) -> None:
        """Offer a tool to the model again, or never (saved)."""
        key = f"{tool.server}/{tool.name}"
        if on:
            self._off.discard(key)
        else:
            self._off.add(key)
        self._save()

    def _without_off(self, offer: Offer) -> Offer:
        """The offer without the tools switched off, with the instructions of its servers."""
        tools = {name: info for name, info in offer.tools.items() if self.is_on(info)}
        servers = {info.server for info in tools.values()} & set(self._mcp)
        said = {server: self._mcp[server].instructions for server in servers}
        return Offer(tools, {server: text for server, text in said.items() if text})

    def timeout_for(self, server: str) -> float:
        """Seconds a call to `server` may take: its own limit, or the tools setting."""
        config = self._servers.get(server)
        own = config.timeout if config is not None else None
        return own if own is not None else self.settings.tools.call_timeout

    def policy_for(self, tool: ToolInfo) -> Policy:
        """Its rule; without one, the web's tools run while Web is on for the chat (the user
        switched it on; `[web] ask_first` asks instead), the memory's ask, and other read-only
        tools follow `[tools] read_only`."""
        if tool.server == WEB:
            default = Policy.ASK if self.settings.web.ask_first else Policy.ALLOW
        elif tool.server == MEMORY:
            default = Policy.ASK  # what is kept about the user is the user's to say
        else:
            default = Policy(self.settings.tools.read_only)
        return self.policies.policy_for(tool, read_only=default)

    # -- servers ---------------------------------------------------------------------------------

    def servers(self) -> list[ServerConfig]:
        return sorted(self._servers.values(), key=lambda s: s.name.lower())

    def server(self, name: str) -> ServerConfig:
        try:
            return self._servers[name]
        except KeyError:
            raise NotFound(tr("no tool server named {name}", name=repr(name))) from None

    def source(self, name: str) -> McpServer:
        self.server(name)
        return self._mcp[name]

    async def add_server(self, config: ServerConfig, *, replace: bool = False) -> list[str]:
        """Add (or with `replace`, change) a server; its secret values go to the keyring.
        Returns notes for the user (values kept for this session only, without a keyring)."""
        old = self._servers.get(config.name)
        if old is not None and not replace:
            raise InvalidRequest(
                tr("a tool server named {name} exists already", name=repr(config.name))
            )
        if old is not None:  # values it no longer names leave the keyring
            named = {*config.env_names, *config.header_names}
            dropped = dataclasses.replace(
                old,
                env_names=tuple(n for n in old.env_names if n not in named),
                header_names=tuple(n for n in old.header_names if n not in named),
            )
            await asyncio.to_thread(self.secrets.forget, dropped)
        notes = await asyncio.to_thread(self.secrets.keep, config)
        found = await asyncio.to_thread(self.secrets.values, config)
        for name in (*config.env_names, *config.header_names):
            if name not in found:  # e.g. kept for the server's old address only
                notes.append(
                    tr(
                        "{server}: {name} has no value kept; enter it again",
                        server=config.name,
                        name=name,
                    )
                )
        kept = dataclasses.replace(config, secrets={})
        await self._detach(config.name)
        self._servers[config.name] = kept
        self._attach(kept)
        self._save()
        await self.saved()
        return notes

    async def import_servers(self, text: str) -> tuple[ReadServers, list[str]]:
        """Add every usable server of a Claude Desktop / Cursor / VS Code `mcpServers` JSON
        (a server of the same name is replaced); an imported stdio server starts only once
        its command was shown and allowed (`approve_command`)."""
        read = parse_servers_text(text)
        notes: list[str] = []
        for server in read.servers:
            notes += await self.add_server(server, replace=True)
        return read, notes

    async def remove_server(self, name: str) -> None:
        config = self.server(name)
        await self._detach(name)
        del self._servers[name]
        await asyncio.to_thread(self.secrets.forget, config)
        await asyncio.to_thread(self.signin.keys.forget_all, config)
        self.policies.forget_server(name)
        self._save()
        await self.saved()

    async def set_enabled(self, name: str, enabled: bool) -> None:
        config = dataclasses.replace(self.server(name), enabled=enabled)
        await self._detach(name)
        self._servers[name] = config
        self._attach(config)
        self._save()
        await self.saved()

    def approve_command(self, name: str) -> None:
        """The user saw the command line and allowed it to start."""
        config = self.server(name)
        self._servers[name] = dataclasses.replace(config, command_approved=True)
        self._mcp[name].config = self._servers[name]
        if self.startable(name):
            self.box.add(self._mcp[name])
        self._save()

    def switchable(self, *, web: bool = False) -> list[tuple[str, str]]:
        """The servers a chat can switch on, as (name, label): chatdesk's own, the web's with
        `web` (the composer has a switch of its own for them), then each configured one that
        may start."""
        servers = [(BUILT_IN, tr("chatdesk: search your chats"))]
        if web:
            servers.append((WEB, tr("Web: search the web and read pages")))
        return servers + [(s.name, s.name) for s in self.servers() if self.startable(s.name)]

    def startable(self, name: str) -> bool:
        """Enabled, and not a stdio command the user has not allowed yet."""
        config = self._servers.get(name)
        if config is None or not config.enabled:
            return False
        return not config.awaits_approval

    async def test_server(self, name: str) -> list[ToolInfo]:
        """Start the server (if it is not running) and list its tools."""
        if not self.startable(name):
            raise InvalidRequest(_why_not(self.server(name)))
        return await self._mcp[name].tools()

    async def saved(self) -> None:
        """Wait until the changes so far are in the tools file; ChatdeskError when the last
        write failed (the changes hold in memory until chatdesk closes)."""
        if self._written is not None:
            await asyncio.wrap_future(self._written)

    async def aclose(self) -> None:
        """End every server's session, side by side (each may wait for its process to exit)."""
        sources = [self._mcp.pop(name) for name in list(self._mcp)]
        for source in sources:
            self.box.remove(source.server)
        await asyncio.gather(*(source.aclose(hurried=self.hurried) for source in sources))
        await asyncio.to_thread(self.loop.stop)
        if self._writer is not None:
            await asyncio.to_thread(self._writer.shutdown, True)  # every change is written

    # -- internals -------------------------------------------------------------------------------

    def _attach(self, config: ServerConfig) -> None:
        from chatdesk.core.tools.mcp import McpServer
        from chatdesk.core.tools.mcp_asks import ServerAsks

        auth = None if config.transport is Transport.STDIO else self.signin
        source = McpServer(config, self.loop, self._log_dir, self.secrets.values, auth)
        source.asks = ServerAsks(config.name, lambda: self.asker)
        self._mcp[config.name] = source
        if self.startable(config.name):
            self.box.add(source)

    async def _detach(self, name: str) -> None:
        source = self._mcp.pop(name, None)
        self.box.remove(name)
        if source is not None:
            await source.aclose()

    async def _renew(self, name: str) -> None:
        """The server's session starts afresh on next use (its sign-in changed)."""
        if name in self._mcp:
            await self._detach(name)
            self._attach(self._servers[name])

    def _save(self) -> None:
        """Write what is in memory now to the tools file, after the writes before it."""
        self.changed()
        if self._file is None:
            return
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-tools-file")
        written = self._writer.submit(
            _write, self._file, self.servers(), self.policies.rules(), sorted(self._off)
        )
        written.add_done_callback(_log_failure)
        self._written = written


def _write(
    path: Path, servers: list[ServerConfig], policies: Mapping[str, Policy], off: list[str]
) -> None:
    try:
        write_tools_file(path, servers, policies, off)
    except OSError as error:
        raise ChatdeskError(
            tr(
                "The tools settings could not be saved in {path} ({reason}): they "
                "hold until chatdesk closes.",
                path=path,
                reason=error.strerror or error,
            )
        ) from error


def _log_failure(written: Future[None]) -> None:
    error = None if written.cancelled() else written.exception()
    if error is not None:
        log.error("%s", error)


def _why_not(config: ServerConfig) -> str:
    if not config.enabled:
        return tr("{name} is switched off", name=config.name)
    return tr(
        "{name} starts this command, which has not been allowed yet: {command}",
        name=config.name,
        command=config.command_line,
    )


def _as_told(
    left: ServerLeftOut, config: ServerConfig | None, source: McpServer | None, tools: Tools
) -> ServerLeftOut:
    """What the toolbox saw of a server left out, told as the user can act on it: switched
    off, not allowed to start, a sign-in needed, or what its last start said."""
    if config is None:
        return left
    if not config.enabled:
        return dataclasses.replace(left, why=LeftOutWhy.OFF)
    if config.awaits_approval:
        return dataclasses.replace(left, why=LeftOutWhy.NOT_ALLOWED)
    if config.transport is not Transport.STDIO and tools.signin.needed(left.server):
        return dataclasses.replace(left, why=LeftOutWhy.SIGN_IN, reason="")
    said = source.last_error if source is not None else ""
    return dataclasses.replace(left, reason=said or left.reason)
