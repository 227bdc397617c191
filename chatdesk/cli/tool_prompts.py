"""`chatdesk tools prompts SERVER` and `chatdesk tools prompt SERVER NAME [--arg K=V …]`: a
tool server's prompts, and the messages of one of them, on the command line."""

from __future__ import annotations

import argparse
import base64
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import print_json
from chatdesk.cli.running import sync
from chatdesk.cli.tool_servers import once_allowed, pairs
from chatdesk.core.i18n import tr
from chatdesk.core.tools.prompt_values import GotPrompt, PromptPart, ServerPrompt


def add_prompt_commands(actions: Any) -> None:
    listing = actions.add_parser("prompts", help=tr("list a server's prompts and their arguments"))
    listing.add_argument("name", metavar="server")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=sync(once_allowed(_prompts)))

    got = actions.add_parser("prompt", help=tr("print the messages of a server's prompt"))
    got.add_argument("name", metavar="server")
    got.add_argument("prompt", metavar="name")
    got.add_argument(
        "--arg", action="append", default=[], metavar="K=V", help=tr("a value of the prompt")
    )
    got.add_argument("--json", action="store_true")
    got.set_defaults(handler=sync(once_allowed(_prompt)))


async def _prompts(core: Core, args: argparse.Namespace) -> int:
    listed = await core.service.tools.prompts.listed(args.name)
    if args.json:
        print_json([_prompt_json(p) for p in listed])
        return 0
    for prompt in listed:
        title = f"  ({prompt.title})" if prompt.title else ""
        print(f"{prompt.name}{title}  {_first_line(prompt.description)}")
        for argument in prompt.arguments:
            # translators: after a prompt's argument that must be given
            needed = "  " + tr("(required)") if argument.required else ""
            print(f"    {argument.name}{needed}  {_first_line(argument.description)}")
    return 0


async def _prompt(core: Core, args: argparse.Namespace) -> int:
    values = pairs(args.arg, "--arg")
    got = await core.service.tools.prompts.get(args.name, args.prompt, values)
    if args.json:
        print_json(_got_json(got))
        return 0
    for part in got.parts:
        print(_shown(part))
    return 0


def _shown(part: PromptPart) -> str:
    """A message as a line or more of plain text: its text, or what it holds besides."""
    if part.kind == "text":
        return f"{part.role}: {part.text}"
    if part.kind == "image":
        said = tr("[image, {mime}, {size} bytes]", mime=part.mime, size=len(part.data))
        return f"{part.role}: {said}"
    if part.data:
        said = tr("[resource {uri}, {size} bytes]", uri=part.uri, size=len(part.data))
        return f"{part.role}: {said}"
    return f"{part.role}: {tr('[resource {uri}]', uri=part.uri)}\n{part.text}"


def _prompt_json(prompt: ServerPrompt) -> dict[str, Any]:
    return {
        "server": prompt.server,
        "name": prompt.name,
        "title": prompt.title,
        "description": prompt.description,
        "arguments": [
            {
                "name": a.name,
                "title": a.title,
                "description": a.description,
                "required": a.required,
            }
            for a in prompt.arguments
        ],
    }


def _got_json(got: GotPrompt) -> dict[str, Any]:
    return {
        "server": got.server,
        "name": got.name,
        "description": got.description,
        "messages": [
            {
                "role": p.role,
                "kind": p.kind,
                "text": p.text,
                "mime": p.mime,
                "uri": p.uri,
                "data": base64.b64encode(p.data).decode("ascii") if p.data else "",
            }
            for p in got.parts
        ],
    }


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
