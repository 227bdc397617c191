"""MCP servers as the user configures them: read from chatdesk's tools file and imported from
the `mcpServers` JSON that Claude Desktop, Cursor and VS Code use.

Every spelling of the transport in use is understood (`stdio`, `sse`, `http`,
`streamable-http`, `streamableHttp`); an entry without one is stdio when it has a `command`
and Streamable HTTP when it has a `url`. An entry that cannot be used is skipped with its
reason, never half-read. Secret values (`env` and `headers`) are not kept here: the tools file
holds their names, and the keyring their values (`ServerSecrets`).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.tools.model import RESERVED

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$")


class Transport(enum.StrEnum):
    STDIO = "stdio"
    HTTP = "http"  # Streamable HTTP
    SSE = "sse"  # the older HTTP+SSE transport


_SPELLINGS = {
    "stdio": Transport.STDIO,
    "sse": Transport.SSE,
    "http": Transport.HTTP,
    "streamable-http": Transport.HTTP,
    "streamablehttp": Transport.HTTP,
    "streamable_http": Transport.HTTP,
}


@dataclass(frozen=True)
class ServerConfig:
    name: str
    transport: Transport
    command: str = ""
    args: tuple[str, ...] = ()
    url: str = ""
    # Names only: the values are in the keyring. `secrets` holds them once loaded or imported.
    env_names: tuple[str, ...] = ()
    header_names: tuple[str, ...] = ()
    enabled: bool = True
    timeout: float | None = None  # seconds a call may take; None: the tools setting
    # A stdio command the user has seen and allowed to start (an imported one asks first).
    command_approved: bool = False
    # An HTTP server's client pre-registered with its authorization server (its secret, if
    # any, is in the keyring); empty: chatdesk registers itself where the server offers it.
    client_id: str = ""
    secrets: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def awaits_approval(self) -> bool:
        """A stdio command the user has not allowed to start yet."""
        return self.transport is Transport.STDIO and not self.command_approved

    @property
    def command_line(self) -> str:
        """The exact command that starts it, as shown before the first start."""
        return " ".join(_quoted(part) for part in (self.command, *self.args))

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"type": str(self.transport)}
        if self.transport is Transport.STDIO:
            entry.update(command=self.command, args=list(self.args))
            if self.env_names:
                entry["env"] = list(self.env_names)
            entry["commandApproved"] = self.command_approved
        else:
            entry["url"] = self.url
            if self.header_names:
                entry["headers"] = list(self.header_names)
            if self.client_id:
                entry["clientId"] = self.client_id
        if not self.enabled:
            entry["enabled"] = False
        if self.timeout is not None:
            entry["timeout"] = self.timeout
        return entry


@dataclass(frozen=True)
class ReadServers:
    servers: tuple[ServerConfig, ...]
    problems: tuple[str, ...]  # one line per entry that was skipped, with its reason


def parse_servers(data: object, *, imported: bool) -> ReadServers:
    """Servers from a parsed JSON document: chatdesk's tools file (`{"servers": {...}}`), or an
    import (`{"mcpServers": {...}}` from Claude Desktop and Cursor, `{"servers": {...}}` from
    VS Code, or the bare mapping). Imported entries carry their secret values (`secrets`) and
    their commands are not approved yet; entries of the tools file carry names only."""
    entries = _entries(data)
    if entries is None:
        return ReadServers((), (tr("no servers found: expected an object of servers by name"),))
    servers: list[ServerConfig] = []
    problems: list[str] = []
    for name, entry in entries.items():
        server, problem = _server(str(name), entry, imported)
        if server is None:
            problems.append(f"{name}: {problem}")
        elif any(s.name == server.name for s in servers):
            problems.append(tr("{name}: a server of that name is already listed", name=name))
        else:
            servers.append(server)
    return ReadServers(tuple(servers), tuple(problems))


def parse_servers_text(text: str, *, imported: bool = True) -> ReadServers:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return ReadServers(
            (), (tr("not JSON: {error} (line {line})", error=error.msg, line=error.lineno),)
        )
    return parse_servers(data, imported=imported)


def server_from_fields(
    name: str,
    transport: Transport,
    *,
    command: str = "",
    args: Sequence[str] = (),
    url: str = "",
    values: Mapping[str, str] | None = None,
    kept: Sequence[str] = (),
    timeout: float | None = None,
    client_id: str = "",
) -> ServerConfig:
    """A server the user typed (`chatdesk tools add`, the form in Preferences ▸ Tools),
    checked as an imported entry is (InvalidRequest says what is wrong). `values` are its
    `env` (stdio) or `headers` (HTTP) to keep in the keyring; `kept` names values kept there
    already. Its command may start: the user wrote it."""
    entry: dict[str, Any] = {
        "type": str(transport),
        "env" if transport is Transport.STDIO else "headers": dict(values or {}),
    }
    if transport is Transport.STDIO:
        entry.update(command=command, args=list(args))
    else:
        entry["url"] = url.strip()
    if timeout is not None:
        entry["timeout"] = timeout
    if client_id.strip() and transport is not Transport.STDIO:
        entry["clientId"] = client_id.strip()
    server, problem = _server(name.strip(), entry, imported=True)
    if server is None:
        raise InvalidRequest(problem)
    names = tuple(dict.fromkeys((*server.secrets, *kept)))
    if transport is Transport.STDIO:
        return replace(server, env_names=names, command_approved=True)
    return replace(server, header_names=names)


def _entries(data: object) -> Mapping[str, Any] | None:
    if not isinstance(data, dict):
        return None
    for key in ("mcpServers", "servers", "mcp_servers"):
        found = data.get(key)
        if isinstance(found, dict):
            return found
    if data and all(isinstance(v, dict) for v in data.values()):  # the bare mapping
        return data
    return None


def _server(name: str, entry: object, imported: bool) -> tuple[ServerConfig | None, str]:
    if not NAME.match(name) or name in RESERVED:
        return None, tr(
            "a name is letters, digits, '.', '_' or '-' (up to 48), and not 'chatdesk' or 'web'"
        )
    if not isinstance(entry, dict):
        return None, tr("not an object")
    spelled = entry.get("type") or entry.get("transport")
    if spelled is None:
        transport = Transport.STDIO if "command" in entry else Transport.HTTP
    elif isinstance(spelled, str) and spelled.lower() in _SPELLINGS:
        transport = _SPELLINGS[spelled.lower()]
    else:
        return None, tr(
            "unknown transport {spelled} (stdio, http, streamable-http or sse)",
            spelled=repr(spelled),
        )
    timeout = entry.get("timeout")
    if timeout is not None and (not isinstance(timeout, int | float) or not 1 <= timeout <= 3600):
        return None, tr("timeout must be a number of seconds from 1 to 3600")
    common: dict[str, Any] = {
        "enabled": entry.get("enabled") is not False and entry.get("disabled") is not True,
        "timeout": float(timeout) if timeout is not None else None,
    }
    if transport is Transport.STDIO:
        return _stdio(name, entry, imported, common)
    url = entry.get("url") or entry.get("serverUrl")
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
        return None, tr("an HTTP server needs a url starting with http:// or https://")
    headers, problem = _named_values(entry.get("headers"), imported, "headers")
    if headers is None:
        return None, problem
    names = tuple(headers)
    client_id = entry.get("clientId") or entry.get("client_id") or ""
    if not isinstance(client_id, str):
        return None, tr("clientId must be text")
    common["client_id"] = client_id.strip()
    return ServerConfig(name, transport, url=url, header_names=names, secrets=headers, **common), ""


def _stdio(
    name: str, entry: dict[str, Any], imported: bool, common: dict[str, Any]
) -> tuple[ServerConfig | None, str]:
    command, args = entry.get("command"), entry.get("args", [])
    if not isinstance(command, str) or not command.strip():
        return None, tr("a stdio server needs a command")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        return None, tr("args must be a list of strings")
    env, problem = _named_values(entry.get("env"), imported, "env")
    if env is None:
        return None, problem
    approved = not imported and entry.get("commandApproved") is True
    server = ServerConfig(
        name,
        Transport.STDIO,
        command=command.strip(),
        args=tuple(args),
        env_names=tuple(env),
        command_approved=approved,
        secrets=env,
        **common,
    )
    return server, ""


def _named_values(value: object, imported: bool, what: str) -> tuple[dict[str, str] | None, str]:
    """An import's `{NAME: value}`, or the tools file's `[NAME, …]` (values in the keyring)."""
    if value is None:
        return {}, ""
    if imported and isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return dict(value), ""
        return None, tr("{what} must map names to text", what=what)
    if not imported and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return dict.fromkeys(value, ""), ""
    return None, tr("{what} is not in a form chatdesk understands", what=what)


def _quoted(part: str) -> str:
    return part if part and not re.search(r"[\s\"'\\$`]", part) else json.dumps(part)
