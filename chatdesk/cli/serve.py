"""`chatdesk serve`: the local API without a window; `chatdesk api key`: its key.

`serve` binds 127.0.0.1 unless asked otherwise ([api] lan, or --host); tools whose policy is
"ask" are refused, as there is no one to ask. See docs/local-api.md.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import note, warn
from chatdesk.cli.running import sync
from chatdesk.core.api_keys import VARIABLE, ApiKeys
from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.configuration import Configuration


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help=tr("serve the local API (OpenAI-compatible) without opening the window")
    )
    serve.add_argument("--host", metavar="HOST", help=tr("address to listen on (127.0.0.1)"))
    serve.add_argument("--port", type=int, metavar="PORT", help=tr("port (the [api] port)"))
    serve.set_defaults(handler=sync(_serve))
    api = commands.add_parser("api", help=tr("the local API's key"))
    actions = api.add_subparsers(dest="action", metavar="ACTION", required=True)
    key = actions.add_parser("key", help=tr("print the key (made the first time)"))
    key.add_argument("--rotate", action="store_true", help=tr("a new key; the old one stops"))
    key.set_defaults(handler=_key)


def _key(config: Configuration, args: argparse.Namespace) -> int:
    from chatdesk.app import key_store

    keys = ApiKeys(key_store())
    print(keys.rotate() if args.rotate else keys.ensure())
    return 0


async def _serve(core: Core, args: argparse.Namespace) -> int:
    from chatdesk.api.options import ApiOptions
    from chatdesk.api.server import ApiServer

    keys = ApiKeys(core.keys)
    made = keys.current() is None
    key = keys.ensure()
    options = ApiOptions.of(core.config.settings.api, host=args.host, port=args.port)
    server = ApiServer(core, options, keys.current, own_signals=True)
    address = await server.start()
    core.watch_outside()  # its clients hear what the window and other commands write too
    note(tr("chatdesk's local API: {address}/v1 (Ctrl+C stops it)", address=address))
    if made:
        note(tr("Its key, made now (`chatdesk api key` shows it again): {key}", key=key))
    elif not keys.from_environment:
        note(tr("Its key: `chatdesk api key` prints it."))
    else:
        note(tr("Its key: the one in {variable}.", variable=VARIABLE))
    if not options.loopback_only:
        host = options.host
        warn(tr("it listens on {host}: other machines on the network can reach it.", host=host))
    await server.wait()
    return 0
