"""`chatdesk memory …`: what chatdesk remembers for you across chats, kept on this computer
only: list, keep, change and delete memories, switch memory on or off (for everything, or for
one assistant's or one project's chats), and export or import them as a memories file.
`chatdesk ask --no-memory` sends with memory off for that chat, from that message on."""

from __future__ import annotations

import argparse
import dataclasses
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import print_json, report
from chatdesk.cli.running import sync
from chatdesk.core.config import load_settings, save_settings
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import mark, ntr, tr

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.memory.model import MemoryView
    from chatdesk.core.memory.service import Memories

# Where a memory came from, by its `Origin` value, as the list shows it.
_ORIGINS = {
    # translators: where a memory came from: typed by the user
    "typed": mark("typed"),
    # translators: where a memory came from: a message of a chat the user chose to remember
    "chat": mark("from a chat"),
    # translators: where a memory came from: the model proposed it and the user kept it
    "model": mark("proposed by the model"),
    # translators: where a memory came from: a memories file
    "import": mark("imported"),
}


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    memory = commands.add_parser(
        "memory", parents=[common], help=tr("what chatdesk remembers for you across chats")
    )
    actions = memory.add_subparsers(dest="action", metavar="ACTION")
    memory.set_defaults(handler=sync(_list), search="")
    listed = actions.add_parser("list", parents=[common], help=tr("every memory"))
    listed.add_argument("--search", default="", metavar="WORDS", help=tr("only those holding"))
    listed.set_defaults(handler=sync(_list))
    add = actions.add_parser("add", parents=[common], help=tr("keep a memory"))
    add.add_argument("text")
    _add_owner(add, tr("only for this assistant's chats"), tr("only for this project's chats"))
    add.add_argument(
        "--always", action="store_true", help=tr("give it with every question, not only related")
    )
    add.set_defaults(handler=sync(_add))
    edit = actions.add_parser("edit", parents=[common], help=tr("change a memory's words"))
    edit.add_argument("id", type=int, metavar="ID")
    edit.add_argument("text")
    edit.set_defaults(handler=sync(_edit))
    remove = actions.add_parser("remove", parents=[common], help=tr("delete a memory"))
    remove.add_argument("id", type=int, metavar="ID")
    remove.set_defaults(handler=sync(_remove))
    for on, said in (("on", tr("switch memory on")), ("off", tr("switch memory off"))):
        switch = actions.add_parser(on, parents=[common], help=said)
        _add_owner(switch, tr("for this assistant's chats"), tr("for this project's chats"))
        switch.set_defaults(handler=sync(_switch), on=on == "on")
    export = actions.add_parser("export", parents=[common], help=tr("write every memory to FILE"))
    export.add_argument("file", metavar="FILE")
    export.set_defaults(handler=sync(_export))
    imported = actions.add_parser(
        "import", parents=[common], help=tr("keep the memories of a memories file")
    )
    imported.add_argument("file", metavar="FILE")
    imported.set_defaults(handler=sync(_import))


def add_ask_arguments(ask: argparse.ArgumentParser) -> None:
    ask.add_argument(
        "--no-memory",
        action="store_true",
        help=tr("memory off for this chat: no memory is given with it, none proposed from it"),
    )


def _add_owner(parser: argparse.ArgumentParser, assistant: str, project: str) -> None:
    owner = parser.add_mutually_exclusive_group()
    owner.add_argument("--assistant", metavar="NAME", help=assistant)
    owner.add_argument("--project", metavar="NAME", help=project)


# -- commands ------------------------------------------------------------------------------------


async def _list(core: Core, args: argparse.Namespace) -> int:
    memory = _memories(core)
    found = await memory.list(args.search)
    if args.json:
        print_json({"enabled": memory.enabled, "memories": [memory_json(m) for m in found]})
        return 0
    if not memory.enabled:
        print(tr("memory is off: none is given to a model (chatdesk memory on)"))
    if not found:
        print(
            tr("no memory holds those words")
            if args.search.strip()
            else tr("no memories yet (chatdesk memory add TEXT)")
        )
    for line in _table(found):
        print(line)
    return 0


async def _add(core: Core, args: argparse.Namespace) -> int:
    assistant_id, project_id = await _owner(core, args)
    kept = await _memories(core).add(
        args.text, assistant_id=assistant_id, project_id=project_id, always=args.always
    )
    said = tr("memory {id} kept for {whom}", id=kept.id, whom=kept.for_whom())
    report(args, memory_json(kept), said)
    return 0


async def _edit(core: Core, args: argparse.Namespace) -> int:
    changed = await _memories(core).edit(args.id, args.text)
    report(args, memory_json(changed), tr("memory {id} changed", id=changed.id))
    return 0


async def _remove(core: Core, args: argparse.Namespace) -> int:
    removed = await _memories(core).remove(args.id)
    said = tr(
        "memory {id} deleted; older backups still hold it until they are rotated out",
        id=removed.id,
    )
    report(args, {"removed": memory_json(removed)}, said)
    return 0


async def _switch(core: Core, args: argparse.Namespace) -> int:
    memory = _memories(core)
    assistant_id, project_id = await _owner(core, args)
    if assistant_id is not None:
        await memory.switch_assistant(assistant_id, args.on)
        name = (await core.service.assistants.get(assistant_id)).name
        said = _switched(args.on, tr("Assistant “{name}”", name=name))
    elif project_id is not None:
        await memory.switch_project(project_id, args.on)
        name = next(p.name for p in await core.service.list_projects() if p.id == project_id)
        said = _switched(args.on, tr("Project “{name}”", name=name))
    else:
        path = core.config.paths.config_file
        loaded = load_settings(path).settings
        chosen = dataclasses.replace(loaded.memory, enabled=args.on)
        save_settings(path, dataclasses.replace(loaded, memory=chosen))
        said = tr("memory is on") if args.on else tr("memory is off: none is given to a model")
    report(args, {"on": args.on, "assistant": args.assistant, "project": args.project}, said)
    return 0


def _switched(on: bool, whom: str) -> str:
    if on:
        return tr("memory is on for the chats of {whom}", whom=whom)
    return tr("memory is off for the chats of {whom}", whom=whom)


async def _export(core: Core, args: argparse.Namespace) -> int:
    path = Path(args.file)
    count = await _memories(core).export(path)
    said = ntr("wrote {n} memory to {path}", "wrote {n} memories to {path}", count, path=path)
    report(args, {"path": str(path), "memories": count}, said)
    return 0


async def _import(core: Core, args: argparse.Namespace) -> int:
    from chatdesk.core.memory.service import imported_said

    result = await _memories(core).import_file(Path(args.file))
    data = {
        "added": result.added,
        "already": result.already,
        "unreadable": result.unreadable,
        "why": list(result.why),
    }
    report(args, data, imported_said(result))
    if not args.json:
        for why in result.why:
            print(f"  {why}")
    return 0


# -- helpers -------------------------------------------------------------------------------------


def _memories(core: Core) -> Memories:
    memory = core.service.memory
    if memory is None:  # only a temporary chat's service has none
        raise InvalidRequest(tr("a temporary chat keeps no memories"))
    return memory


async def _owner(core: Core, args: argparse.Namespace) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The assistant or the project named by --assistant or --project (None: neither)."""
    if args.assistant:
        return (await core.service.assistants.find(args.assistant)).id, None
    if not args.project:
        return None, None
    projects = await core.service.list_projects()
    wanted = args.project.casefold()
    for project in projects:
        if project.name.casefold() == wanted:
            return None, project.id
    known = ", ".join(p.name for p in projects) or tr("none yet")
    raise NotFound(
        tr("no project named {name} (there are: {names})", name=repr(args.project), names=known)
    )


def _table(memories: list[MemoryView]) -> list[str]:
    """A line a memory: its number, on/always, for whom, where it came from, its words."""
    rows = [
        (str(m.id), _marks(m), m.for_whom(), _came_from(m), " ".join(m.text.split()))
        for m in memories
    ]
    if not rows:
        return []
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = []
    for number, *middle, words in rows:
        cells = [cell.ljust(width) for cell, width in zip(middle, widths[1:], strict=True)]
        lines.append("  ".join([number.rjust(widths[0]), *cells, words]))
    return lines


def _marks(memory: MemoryView) -> str:
    # translators: a memory in the list: it is given to models (on) or not (off)
    on = tr("on", context="memory") if memory.enabled else tr("off", context="memory")
    # translators: a memory in the list: given with every question, not only related ones
    return f"{on}, {tr('always', context='memory')}" if memory.always else on


def _came_from(memory: MemoryView) -> str:
    origin = tr(_ORIGINS[memory.origin]) if memory.origin in _ORIGINS else memory.origin
    if memory.thread_title:
        return tr("{origin} “{title}”", origin=origin, title=memory.thread_title)
    return origin


def memory_json(memory: MemoryView) -> dict[str, Any]:
    def text_of(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "id": memory.id,
        "text": memory.text,
        "enabled": memory.enabled,
        "always": memory.always,
        "for": memory.for_whom(),
        "assistant": memory.assistant or None,
        "assistant_id": text_of(memory.assistant_id),
        "project": memory.project or None,
        "project_id": text_of(memory.project_id),
        "origin": memory.origin,
        "thread_id": text_of(memory.thread_id),
        "message_id": text_of(memory.message_id),
        "thread_title": memory.thread_title or None,
        "created_at": memory.created_at.isoformat(),
        "updated_at": memory.updated_at.isoformat(),
        "used_at": memory.used_at.isoformat() if memory.used_at else None,
    }
