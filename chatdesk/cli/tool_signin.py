"""`chatdesk tools login SERVER` and `chatdesk tools logout SERVER`: signing in to a remote
MCP server that asks for it. The browser is opened through Python's `webbrowser` (so the
`BROWSER` variable is honoured) and the address is printed too, for a machine with no browser;
the command waits for the browser to come back (Ctrl+C gives up)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import note
from chatdesk.cli.running import sync
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr


def add_commands(actions: Any) -> None:
    login = actions.add_parser("login", help=tr("sign in to a remote server through the browser"))
    login.add_argument("name")
    login.set_defaults(handler=sync(_login))
    logout = actions.add_parser("logout", help=tr("forget a remote server's sign-in"))
    logout.add_argument("name")
    logout.set_defaults(handler=sync(_logout))


def client_secret_from_stdin() -> str:
    """`tools add … --client-secret-stdin`: the secret on stdin, never on the command line."""
    secret = sys.stdin.readline().strip()
    if not secret:
        raise InvalidRequest(tr("--client-secret-stdin: no secret on stdin; nothing was saved"))
    return secret


async def _login(core: Core, args: argparse.Namespace) -> int:
    signin = core.service.tools.signin

    def shown(url: str) -> None:
        note(
            tr(
                "Opening the browser to sign in to {server}. If it does not open, go to:",
                server=args.name,
            )
        )
        print(url, flush=True)
        note(tr("Waiting for the browser to come back (Ctrl+C gives up)…"))

    status = await signin.login(args.name, shown)
    print(status.line)
    if signin.keys.session_only:
        note(tr("There is no keyring: the sign-in holds for this session only"))
    return 0


async def _logout(core: Core, args: argparse.Namespace) -> int:
    signed_out = await core.service.tools.signin.logout(args.name)
    note(signed_out.line)
    return 0
