"""What the `tools` sub-commands share about a server: whether its command may start, asked on
the terminal, the NAME=VALUE items handed to it (its environment, its headers, a prompt's
arguments), and, for `ask`, the servers an answer had to go without and how to fix each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chatdesk.app import Core
from chatdesk.cli.output import fail, note, warn
from chatdesk.cli.running import CoreCommand
from chatdesk.core.chat.events import Event, ToolServersLeftOut
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.tools.model import RESERVED
from chatdesk.core.tools.service import Tools
from chatdesk.core.views import LeftOutWhy, ServerLeftOut


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


class LeftOutLines:
    """On stderr, once each, the tool servers an answer went without and what to run or do so
    that it has them next time (the answer itself stays on stdout)."""

    def __init__(self) -> None:
        self._said: set[tuple[str, str]] = set()  # a comparison's answers each say it

    def on_event(self, event: Event) -> None:
        if not isinstance(event, ToolServersLeftOut):
            return
        for left in event.servers:
            if (left.server, left.why) not in self._said:
                self._said.add((left.server, left.why))
                warn(left.said())
                note("  " + fix_for(left))


def fix_for(left: ServerLeftOut) -> str:
    """What to run (or do) so that the server is there for the next answer."""
    match left.why:
        case LeftOutWhy.SIGN_IN:
            return tr("sign in with: chatdesk tools login {server}", server=left.server)
        case LeftOutWhy.OFF:
            return tr("switch it on in the window: Preferences ▸ Tools")
        case LeftOutWhy.NOT_ALLOWED:
            return tr(
                "see its command and allow it with: chatdesk tools test {server}",
                server=left.server,
            )
        case LeftOutWhy.UNKNOWN:
            return tr("see the servers set up with: chatdesk tools list")
        case _:
            return tr("try it with: chatdesk tools test {server}", server=left.server)
