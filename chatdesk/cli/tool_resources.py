"""`chatdesk tools resources SERVER` and `chatdesk tools read SERVER URI`: a tool server's
resources on the command line; and `ask --resource SERVER:URI`, which attaches one.

What a server sends is printed as plain text; a resource's bytes go to stdout only when it is
text, and to a file named with `-o` otherwise (never raw bytes on a terminal).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.app import Core
from chatdesk.cli.output import fail, note, print_json
from chatdesk.cli.running import sync
from chatdesk.cli.tool_servers import allow_to_start, once_allowed
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import number, tr
from chatdesk.core.tools.mcp_resources import Listing, ResourceContent

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import AttachmentInput


def add_commands(actions: Any) -> None:
    """The `resources` and `read` actions of `chatdesk tools`."""
    listing = actions.add_parser("resources", help=tr("a server's resources and templates"))
    listing.add_argument("name")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=sync(once_allowed(_resources)))

    read = actions.add_parser("read", help=tr("read a server's resource"))
    read.add_argument("name")
    read.add_argument("uri")
    read.add_argument("-o", "--output", metavar="FILE", help=tr("write it to FILE"))
    read.set_defaults(handler=sync(once_allowed(_read)))


def add_ask_argument(ask: argparse.ArgumentParser) -> None:
    ask.add_argument(
        "--resource",
        metavar="SERVER:URI",
        action="append",
        default=[],
        help=tr("attach a tool server's resource (repeatable)"),
    )


async def attach_resources(service: ChatService, given: list[str]) -> list[AttachmentInput]:
    """Each `SERVER:URI` of `ask --resource`, read into attachments."""
    made: list[AttachmentInput] = []
    for item in given:
        server, colon, uri = item.partition(":")
        if not colon or not server or not uri:
            raise InvalidRequest(
                tr(
                    "--resource takes SERVER:URI, e.g. files:file:///notes.txt (not {given})",
                    given=repr(item),
                )
            )
        if not allow_to_start(service.tools, [server]):
            raise InvalidRequest(tr("{name} may not start yet", name=server))
        made += await service.tools.resources.attach(server, uri)
    return made


async def _resources(core: Core, args: argparse.Namespace) -> int:
    listing = await core.service.tools.resources.listing(args.name)
    if args.json:
        print_json(_json(listing))
        return 0
    for resource in listing.resources:
        size = "" if resource.size is None else tr("{size} bytes", size=number(resource.size))
        print("  ".join(p for p in (resource.uri, resource.label, resource.mime, size) if p))
    for template in listing.templates:
        names = ", ".join(template.parameters)
        # translators: a resource template's line: its URI template, its name, its parameters
        print(
            tr(
                "{template}  {label}  (template: {names})",
                template=template.uri_template,
                label=template.label,
                names=names,
            )
        )
    if not listing.resources and not listing.templates:
        note(tr("{name} has no resources", name=args.name))
    return 0


async def _read(core: Core, args: argparse.Namespace) -> int:
    contents = await core.service.tools.resources.read(args.name, args.uri)
    if args.output:
        data = b"".join(c.content_bytes for c in contents)
        await asyncio.to_thread(Path(args.output).write_bytes, data)
        note(tr("wrote {size} bytes to {path}", size=number(len(data)), path=args.output))
        return 0
    texts = [_text_of(c) for c in contents]
    if any(text is None for text in texts):
        fail(
            tr(
                "{uri} holds binary data ({mime}); write it to a file with -o FILE",
                uri=args.uri,
                mime=next(c.mime for c, text in zip(contents, texts, strict=True) if text is None),
            )
        )
        return 1
    sys.stdout.write("\n".join(text or "" for text in texts))
    if texts and not (texts[-1] or "").endswith("\n"):
        sys.stdout.write("\n")
    return 0


def _text_of(content: ResourceContent) -> str | None:
    """What `content` says as text: its text, or a blob the server calls text that reads as
    UTF-8; None for bytes that are not text."""
    if content.data is None:
        return content.text or ""
    if not content.mime.startswith("text/"):
        return None
    try:
        return content.data.decode()
    except UnicodeDecodeError:
        return None


def _json(listing: Listing) -> dict[str, Any]:
    return {
        "server": listing.server,
        "resources": [
            {
                "uri": r.uri,
                "name": r.name,
                "title": r.title,
                "description": r.description,
                "mime": r.mime,
                "size": r.size,
            }
            for r in listing.resources
        ],
        "templates": [
            {
                "uri_template": t.uri_template,
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "mime": t.mime,
                "parameters": list(t.parameters),
            }
            for t in listing.templates
        ],
    }
