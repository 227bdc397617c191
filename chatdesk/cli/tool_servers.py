"""What the `tools` sub-commands share about a server: whether its command may start, asked on
the terminal, and the NAME=VALUE items handed to it (its environment, its headers, a prompt's
arguments)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chatdesk.app import Core
from chatdesk.cli.output import fail
from chatdesk.cli.running import CoreCommand
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.tools.model import RESERVED
from chatdesk.core.tools.service import Tools


def allow_to_start(tools: Tools, names: Sequence[str]) -> bool:
    """Servers whose command the user has not allowed yet: show it and ask (on a terminal)."""
    for name in names:
        if name in RESERVED:
            continue
        config = tools.server(name)
        if not config.awaits_approval:
            continue
        if not sys.stdin.isatty():
            fail(
                tr(
                    "{name} would start this command, which has not been allowed yet: "
                    "{command} — run `chatdesk tools test {name}` on a terminal first",
                    name=name,
                    command=config.command_line,
                )
            )
            return False
        print(tr("{name} starts this command on your computer:", name=name))
        print(f"  {config.command_line}")
        # translators: the answer is read as y or yes (any other answer is no): keep [y/N]
        if input(tr("Allow it to start? [y/N] ")).strip().lower() not in ("y", "yes"):
            fail(tr("{name} was not allowed to start", name=name))
            return False
        tools.approve_command(name)
    return True


def once_allowed(command: CoreCommand) -> CoreCommand:
    """`command` of `tools ACTION NAME …`, run once the server NAME may start (else exit 1)."""

    async def checked(core: Core, args: argparse.Namespace) -> int:
        if not allow_to_start(core.service.tools, [args.name]):
            return 1
        return await command(core, args)

    return checked


def pairs(items: list[str], option: str) -> dict[str, str]:
    """`option`'s K=V items (`--env`, `--arg` …) as a dict."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidRequest(
                tr("{option} takes NAME=VALUE, not {item!r}", option=option, item=item)
            )
        pairs[key] = value
    return pairs
