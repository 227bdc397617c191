"""`chatdesk prompts …`: the saved prompts the window's slash menu offers (`/`); `{{name}}` in
a prompt's text is a value asked for when it is used."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import print_json, report
from chatdesk.cli.running import sync
from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.assistants.prompts import PromptView


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    prompts = commands.add_parser(
        "prompts", parents=[common], help=tr("saved prompts (the window's slash menu)")
    )
    actions = prompts.add_subparsers(dest="action", metavar="ACTION")
    prompts.set_defaults(handler=sync(_list))
    actions.add_parser("list", parents=[common], help=tr("every saved prompt")).set_defaults(
        handler=sync(_list)
    )
    show = actions.add_parser("show", parents=[common], help=tr("a prompt's text"))
    show.add_argument("name")
    show.set_defaults(handler=sync(_show))
    add = actions.add_parser(
        "add", parents=[common], help=tr("save a prompt (one of the same name is replaced)")
    )
    add.add_argument("name")
    add.add_argument("text", help=tr("its text; - reads it from stdin"))
    add.set_defaults(handler=sync(_add))
    remove = actions.add_parser("remove", parents=[common], help=tr("delete a saved prompt"))
    remove.add_argument("name")
    remove.set_defaults(handler=sync(_remove))


async def _list(core: Core, args: argparse.Namespace) -> int:
    found = await core.service.prompts.list()
    if args.json:
        print_json({"prompts": [_json(p) for p in found]})
    elif not found:
        print(tr('no saved prompts (chatdesk prompts add NAME "TEXT")'))
    for prompt in [] if args.json else found:
        first = prompt.text.strip().splitlines()[0]
        print(f"{prompt.name}: {first[:70]}{'…' if len(first) > 70 else ''}")
    return 0


async def _show(core: Core, args: argparse.Namespace) -> int:
    found = await core.service.prompts.find(args.name)
    report(args, _json(found), found.text)
    return 0


async def _add(core: Core, args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    saved = await core.service.prompts.save(args.name, text)
    if saved.variables:
        asks = ", ".join(saved.variables)
        said = tr("saved prompt {name!r} (asks for: {asks})", name=saved.name, asks=asks)
    else:
        said = tr("saved prompt {name!r}", name=saved.name)
    report(args, _json(saved), said)
    return 0


async def _remove(core: Core, args: argparse.Namespace) -> int:
    await core.service.prompts.delete(args.name)
    report(args, {"removed": args.name}, tr("removed prompt {name!r}", name=args.name))
    return 0


def _json(prompt: PromptView) -> dict[str, Any]:
    return {"name": prompt.name, "text": prompt.text, "variables": prompt.variables}
