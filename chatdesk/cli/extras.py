"""`chatdesk install [NAME]`: chatdesk's extras (decisions 0074 and 0075), listed with their
sizes and whether they are installed, or one installed with pip, its lines on stderr as they
come. `chatdesk voice install` is the same install for voice's two.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import note, print_json
from chatdesk.cli.running import sync
from chatdesk.core.i18n import tr


def add_commands(commands: Any) -> None:
    install = commands.add_parser(
        "install",
        help=tr("list chatdesk's extras, or install one with pip (formulas, local speech …)"),
    )
    install.add_argument(  # the names are the service's to check
        "extra", nargs="?", help=tr("the extra to install; without it, the list")
    )
    install.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    install.set_defaults(handler=sync(_install))


async def _install(core: Core, args: argparse.Namespace) -> int:
    if args.extra is None:
        return _list(core, args.json)
    return await install_extra(core, args.extra)


async def install_extra(core: Core, name: str) -> int:
    """Install the extra `name` with pip, its lines on stderr as they come."""
    extras = core.extras
    state = extras.state(name)
    if state.present:
        note(tr("{name} is installed already.", name=name))
        return 0
    if not state.frozen:
        note(tr("Installing {name} with pip. {offer}", name=name, offer=state.offer()))
    await extras.install(name, lambda line: print(f"  {line}", file=sys.stderr, flush=True))
    note(tr("{name} is installed.", name=name))
    return 0


def _list(core: Core, as_json: bool) -> int:
    from chatdesk.core.extras import EXTRAS, PACKAGES

    states = core.extras.states()
    if as_json:
        print_json(
            {
                "extras": [
                    {
                        "name": state.extra,
                        "installed": state.present,
                        "download_mb": sum(
                            PACKAGES[name].download_mb for name in EXTRAS[state.extra].packages
                        ),
                        "disk_mb": sum(
                            PACKAGES[name].disk_mb for name in EXTRAS[state.extra].packages
                        ),
                    }
                    for state in states
                ]
            }
        )
        return 0
    for state in states:
        extra = EXTRAS[state.extra]
        size = sum(PACKAGES[name].disk_mb for name in extra.packages)
        status = tr("installed") if state.present else tr("not installed")
        print(
            tr(
                "{name}  {gives}: about {disk} MB on disk, {status}",
                name=state.extra,
                gives=tr(extra.gives),
                disk=size,
                status=status,
            )
        )
    return 0
