"""`chatdesk attachments …`: the files attached to messages, listed and saved; and how an
attachment looks in `--json` output (`ask`, `threads show`)."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import print_json
from chatdesk.cli.running import sync
from chatdesk.core.chat.attachments import describe
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.units import format_size
from chatdesk.core.views import AttachmentView


def add_commands(commands: Any) -> None:
    attachments = commands.add_parser("attachments", help=tr("files attached to messages"))
    actions = attachments.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=tr("the newest attachments first"))
    listing.add_argument("--limit", type=int, default=50, help=tr("at most this many (default 50)"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=sync(_list))
    save = actions.add_parser("save", help=tr("write an attachment's file (as stored) to a path"))
    save.add_argument("id", help=tr("the attachment's id (or a unique prefix of it)"))
    save.add_argument("path", nargs="?", help=tr("where to write it (default: its name, here)"))
    save.set_defaults(handler=sync(_save))


def attachment_json(item: AttachmentView) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "name": item.name,
        "kind": item.kind,
        "mime": item.mime,
        "size": item.size,
        "sha256": item.sha256,
        "width": item.width or None,
        "height": item.height or None,
        "pages": item.pages or None,
        "note": item.note or None,
    }


async def _list(core: Core, args: argparse.Namespace) -> int:
    found = await core.service.attachments.listing(args.limit)
    if args.json:
        print_json(
            [
                {
                    **attachment_json(f.attachment),
                    "thread_id": str(f.thread_id),
                    "message_id": str(f.message_id),
                    "created_at": f.created_at.isoformat(),
                }
                for f in found
            ]
        )
        return 0
    for f in found:
        item = f.attachment
        print(f"{item.id.hex[:12]}  {item.name}  ({describe(item)}, {format_size(item.size)})")
    return 0


async def _save(core: Core, args: argparse.Namespace) -> int:
    found = [f.attachment for f in await core.service.attachments.listing(1_000_000)]
    wanted = args.id.replace("-", "").lower()
    matches = [item for item in found if item.id.hex.startswith(wanted)]
    if not wanted or len(matches) != 1:
        raise InvalidRequest(
            tr("no attachment with id {id}", id=args.id)
            if not matches
            else ntr(
                "{id} is the start of {n} attachments' ids: give more of it",
                "{id} is the start of {n} attachments' ids: give more of it",
                len(matches),
                id=args.id,
            )
        )
    item = matches[0]
    path = Path(args.path) if args.path else Path(Path(item.name).name or item.id.hex)
    await core.service.attachments.save(uuid.UUID(int=item.id.int), path)
    print(path)
    return 0
