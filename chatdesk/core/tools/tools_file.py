"""The tools file, `tools.json` in the config folder (0600): the MCP servers (their secret
values are in the keyring, not here), the approval policies and the tools switched off. Written
whole and atomically; a file that cannot be read leaves no server configured and every tool at
"ask" (the safe side), says why in the log, and is not overwritten until the user changes
something."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.i18n import tr
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.servers import ServerConfig, parse_servers
from chatdesk.core.writing import replace_file_atomically

log = logging.getLogger("chatdesk.tools")

TOOLS_FILE = "tools.json"


@dataclass(frozen=True)
class ToolsFileContents:
    servers: tuple[ServerConfig, ...] = ()
    policies: Mapping[str, Policy] | None = None
    problems: tuple[str, ...] = ()
    off: frozenset[str] = frozenset()  # tools switched off ("server/tool"): never offered


def read_tools_file(path: Path) -> ToolsFileContents:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ToolsFileContents()
    except (OSError, ValueError) as error:
        log.warning(
            "the tools file %s cannot be read (%s): no servers, every tool asks", path, error
        )
        return ToolsFileContents(
            problems=(tr("{name} cannot be read: {error}", name=path.name, error=error),)
        )
    if not isinstance(data, dict):
        return ToolsFileContents(problems=(tr("{name} is not a JSON object", name=path.name),))
    read = parse_servers({"servers": data.get("servers") or {}}, imported=False)
    for problem in read.problems:
        log.warning("tools file: server skipped: %s", problem)
    rules = data.get("policies")
    known = {str(p) for p in Policy}
    policies = {
        str(key): Policy(value)
        for key, value in (rules.items() if isinstance(rules, dict) else ())
        if isinstance(value, str) and value in known
    }
    off = data.get("off")
    switched_off = (
        frozenset(str(v) for v in off if isinstance(v, str))
        if isinstance(off, list)
        else frozenset()
    )
    return ToolsFileContents(read.servers, policies, read.problems, switched_off)


def write_tools_file(
    path: Path,
    servers: Iterable[ServerConfig],
    policies: Mapping[str, Policy],
    off: Iterable[str] = (),
) -> None:
    data = {
        "servers": {server.name: server.to_json() for server in servers},
        "policies": {key: str(value) for key, value in sorted(policies.items())},
        "off": sorted(off),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file_atomically(path, (json.dumps(data, indent=2) + "\n").encode())
