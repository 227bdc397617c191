"""`chatdesk assistants …`: named presets of who answers (a system prompt, a model and its
parameters, the tools its chats start with, example prompts), listed, shown, added, edited,
shared as files; `chatdesk ask --assistant NAME` starts a chat with one, or switches a chat
to it.

`edit` changes only the options given; `--clear FIELD` unsets a field (the chat's project or
the settings then decide it). `--tool` and `--example` given to `edit` replace the whole list.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import print_json, report, warn
from chatdesk.cli.running import sync
from chatdesk.core.assistants.model import MAX_PROMPT, AssistantFields
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.tools.model import BUILT_IN
from chatdesk.core.trust.files import open_regular

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.assistants.model import AssistantView

# What `--clear` takes, and the field each one unsets.
_CLEARABLE = {
    "icon": "icon",
    "colour": "colour",
    "description": "description",
    "prompt": "system_prompt",
    "provider": "provider",
    "model": "model",
    "temperature": "temperature",
    "max-tokens": "max_output_tokens",
    "tools": "tools",
    "examples": "examples",
}
_MAX_PROMPT_BYTES = 4 * MAX_PROMPT  # UTF-8 takes at most 4 bytes a character


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    assistants = commands.add_parser(
        "assistants", parents=[common], help=tr("assistants: who answers, and with what")
    )
    actions = assistants.add_subparsers(dest="action", metavar="ACTION")
    assistants.set_defaults(handler=sync(_list))
    actions.add_parser("list", parents=[common], help=tr("every assistant")).set_defaults(
        handler=sync(_list)
    )
    show = actions.add_parser("show", parents=[common], help=tr("every field of an assistant"))
    show.add_argument("name")
    show.set_defaults(handler=sync(_show))
    add = actions.add_parser("add", parents=[common, _fields()], help=tr("add an assistant"))
    add.add_argument("name")
    add.set_defaults(handler=sync(_add))
    edit = actions.add_parser(
        "edit",
        parents=[common, _fields()],
        help=tr("change an assistant (what is not given stays)"),
        description=tr(
            "Change the fields given; the others stay as they are. --tool and "
            "--example replace the whole list; --clear FIELD unsets a field."
        ),
    )
    edit.add_argument("name")
    edit.add_argument("--rename", metavar="NEW", help=tr("give it a new name"))
    edit.add_argument(
        "--clear",
        action="append",
        default=[],
        choices=list(_CLEARABLE),
        metavar="FIELD",
        help=tr("unset a field (repeatable): {fields}", fields=", ".join(_CLEARABLE)),
    )
    edit.set_defaults(handler=sync(_edit))
    duplicate = actions.add_parser("duplicate", parents=[common], help=tr("a copy to change"))
    duplicate.add_argument("name")
    duplicate.set_defaults(handler=sync(_duplicate))
    remove = actions.add_parser(
        "remove", parents=[common], help=tr("delete an assistant (its answers keep its name)")
    )
    remove.add_argument("name")
    remove.set_defaults(handler=sync(_remove))
    imported = actions.add_parser(
        "import", parents=[common], help=tr("add the assistants of an assistant file")
    )
    imported.add_argument("file")
    imported.set_defaults(handler=sync(_import))
    exported = actions.add_parser(
        "export", parents=[common], help=tr("write assistants to a file (all when none is named)")
    )
    exported.add_argument("file")
    exported.add_argument("names", nargs="*", metavar="NAME")
    exported.set_defaults(handler=sync(_export))


def _fields() -> argparse.ArgumentParser:
    """The options `add` and `edit` share, one for each field."""
    fields = argparse.ArgumentParser(add_help=False)
    fields.add_argument("--icon", help=tr("an emoji or a few letters (default: its first letter)"))
    fields.add_argument("--colour", "--color", dest="colour", metavar="#RRGGBB")
    fields.add_argument("--description", metavar="TEXT", help=tr("what it is for"))
    prompt = fields.add_mutually_exclusive_group()
    prompt.add_argument("--prompt", metavar="TEXT", help=tr("its system prompt"))
    prompt.add_argument("--prompt-file", metavar="FILE", help=tr("its system prompt ('-': stdin)"))
    fields.add_argument("--provider", metavar="NAME", help=tr("the provider it answers with"))
    fields.add_argument("--model", metavar="NAME", help=tr("the model it answers with"))
    fields.add_argument("--temperature", type=float, metavar="T", help=tr("from 0 to 2"))
    fields.add_argument("--max-tokens", type=int, metavar="N", help=tr("longest answer, in tokens"))
    fields.add_argument(
        "--tool",
        action="append",
        metavar="SERVER",
        help=tr("a tool server its chats start with (repeatable)"),
    )
    fields.add_argument(
        "--example",
        action="append",
        metavar="TEXT",
        help=tr("a prompt offered in an empty chat (repeatable)"),
    )
    return fields


# -- commands ------------------------------------------------------------------------------------


async def _list(core: Core, args: argparse.Namespace) -> int:
    found = await core.service.assistants.list()
    if args.json:
        print_json({"assistants": [_json(a) for a in found]})
    elif not found:
        print(tr("no assistants (chatdesk assistants add NAME --prompt TEXT)"))
    for assistant in [] if args.json else found:
        fields = assistant.fields
        lines = (fields.description or "").strip().splitlines()
        parts = [assistant.badge, assistant.name]
        parts += [f"[{fields.model}]"] if fields.model else []
        parts += [f"— {_cut(lines[0], 70)}"] if lines else []
        print("  ".join(parts))
    return 0


async def _show(core: Core, args: argparse.Namespace) -> int:
    assistant = await core.service.assistants.find(args.name)
    report(args, _json(assistant), _described(assistant))
    return 0


async def _add(core: Core, args: argparse.Namespace) -> int:
    fields = AssistantFields(name=args.name, **_given(args))
    made = await core.service.assistants.create(fields)
    _warn_unknown_tools(core, made)
    report(args, _json(made), tr("added assistant {name!r}", name=made.name))
    return 0


async def _edit(core: Core, args: argparse.Namespace) -> int:
    given = _given(args)
    if args.rename is not None:
        given["name"] = args.rename
    cleared = {_CLEARABLE[name] for name in args.clear}
    both = sorted(name for name in args.clear if _CLEARABLE[name] in given)
    if both:
        raise InvalidRequest(
            tr("--clear {field} and a new value for it: choose one", field=both[0])
        )
    if not given and not cleared:
        raise InvalidRequest(tr("nothing to change: give a field's option, --rename or --clear"))
    assistant = await core.service.assistants.find(args.name)
    given |= {name: () if name == "examples" else None for name in cleared}
    fields = dataclasses.replace(assistant.fields, **given)
    changed = await core.service.assistants.update(assistant.id, fields)
    if "tools" in given:
        _warn_unknown_tools(core, changed)
    if changed.name != assistant.name:
        said = tr("saved assistant {name!r} (was {old!r})", name=changed.name, old=assistant.name)
    else:
        said = tr("saved assistant {name!r}", name=changed.name)
    report(args, _json(changed), said)
    return 0


async def _duplicate(core: Core, args: argparse.Namespace) -> int:
    assistants = core.service.assistants
    copy = await assistants.duplicate((await assistants.find(args.name)).id)
    report(args, _json(copy), tr("added {name!r}, a copy to change", name=copy.name))
    return 0


async def _remove(core: Core, args: argparse.Namespace) -> int:
    assistant = await core.service.assistants.find(args.name)
    await core.service.assistants.delete(assistant.id)
    report(
        args,
        {"removed": assistant.name, "id": str(assistant.id)},
        tr(
            "removed assistant {name!r} (its chats go on without one; the answers it wrote keep "
            "its name)",
            name=assistant.name,
        ),
    )
    return 0


async def _import(core: Core, args: argparse.Namespace) -> int:
    made = await core.service.assistants.import_file(Path(args.file))
    names = ", ".join(repr(a.name) for a in made)
    report(
        args,
        {"imported": [_json(a) for a in made]},
        ntr(
            "imported {n} assistant: {names}",
            "imported {n} assistants: {names}",
            len(made),
            names=names,
        ),
    )
    return 0


async def _export(core: Core, args: argparse.Namespace) -> int:
    assistants = core.service.assistants
    if args.names:
        chosen = [await assistants.find(name) for name in args.names]
    else:
        chosen = await assistants.list()
    path = Path(args.file)
    count = await assistants.export_file([a.id for a in chosen], path)
    report(
        args,
        {"file": str(path), "exported": count},
        ntr("wrote {n} assistant to {path}", "wrote {n} assistants to {path}", count, path=path),
    )
    return 0


# -- fields --------------------------------------------------------------------------------------


def _given(args: argparse.Namespace) -> dict[str, Any]:
    """The fields whose options were given, as AssistantFields names them (checked later,
    by the core, with everything else)."""
    values: dict[str, Any] = {
        "icon": args.icon,
        "colour": args.colour,
        "description": args.description,
        "system_prompt": args.prompt,
        "provider": args.provider,
        "model": args.model,
        "temperature": args.temperature,
        "max_output_tokens": args.max_tokens,
        "tools": None if args.tool is None else tuple(args.tool),
        "examples": None if args.example is None else tuple(args.example),
    }
    if args.prompt_file is not None:
        values["system_prompt"] = _read_prompt(args.prompt_file)
    return {name: value for name, value in values.items() if value is not None}


def _warn_unknown_tools(core: Core, assistant: AssistantView) -> None:
    """A tool server may be named before it is added (or after it was removed): saved, and
    said."""
    known = {BUILT_IN, *(server.name for server in core.service.tools.servers())}
    for name in sorted(set(assistant.fields.tools or ()) - known):
        warn(
            tr(
                "there is no tool server named {name!r} yet (chatdesk tools add {name} …)",
                name=name,
            )
        )


def _read_prompt(name: str) -> str:
    """A system prompt from a file (`-`: stdin), read up to what a prompt may be."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(_MAX_PROMPT_BYTES + 1)
        else:
            with open_regular(Path(name).expanduser()) as file:  # not a FIFO or a device
                data = file.read(_MAX_PROMPT_BYTES + 1)
    except OSError as error:
        said = tr("cannot read {name}: {error}", name=name, error=error.strerror or error)
        raise InvalidRequest(said) from None
    if len(data) > _MAX_PROMPT_BYTES:
        raise InvalidRequest(
            tr(
                "{name} is too long for a system prompt ({most} at most)",
                name=name,
                most=number(MAX_PROMPT),
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        said = tr("{name} is not UTF-8 text (at byte {start})", name=name, start=error.start)
        raise InvalidRequest(said) from None


# -- output --------------------------------------------------------------------------------------


def _described(assistant: AssistantView) -> str:
    """Every field, one labelled line each; long texts indented below their label."""
    fields = assistant.fields
    unset = tr("(not set)")
    tools = unset if fields.tools is None else ", ".join(fields.tools) or tr("(none)")
    tokens = fields.max_output_tokens or 0
    answer = ntr("{n} tokens", "{n} tokens", tokens) if tokens else unset
    rows = [
        (tr("id:"), assistant.id),
        (tr("icon:"), fields.icon or unset),
        (tr("colour:"), fields.colour or unset),
        (tr("provider:"), fields.provider or unset),
        # translators: a label: the AI model an assistant answers with
        (tr("model:"), fields.model or unset),
        (tr("temperature:"), unset if fields.temperature is None else fields.temperature),
        # translators: a label: the longest answer an assistant may write
        (tr("answer length:"), answer),
        (tr("tools:"), tools),
    ]
    width = max(len(label) for label, _ in rows) + 1  # the values in one column
    lines = [
        f"{assistant.badge} {assistant.name}",
        *(f"{label:<{width}}{value}" for label, value in rows),
        tr("description:") + _block(fields.description),
        tr("system prompt:") + _block(fields.system_prompt),
        tr("examples:") + ("".join(_item(e) for e in fields.examples) or f" {unset}"),
    ]
    return "\n".join(lines)


def _block(text: str | None) -> str:
    if not text:
        return " " + tr("(not set)")
    return "".join(f"\n  {line}".rstrip() for line in text.splitlines())


def _item(text: str) -> str:
    return "".join(
        f"\n{'  - ' if n == 0 else '    '}{line}".rstrip()
        for n, line in enumerate(text.splitlines())
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(assistant: AssistantView) -> dict[str, Any]:
    fields = assistant.fields
    return {
        "id": str(assistant.id),
        "name": fields.name,
        "badge": assistant.badge,
        "icon": fields.icon,
        "colour": fields.colour,
        "description": fields.description,
        "system_prompt": fields.system_prompt,
        "provider": fields.provider,
        "model": fields.model,
        "temperature": fields.temperature,
        "max_output_tokens": fields.max_output_tokens,
        "tools": None if fields.tools is None else list(fields.tools),
        "examples": list(fields.examples),
        "created_at": assistant.created_at.isoformat(),
        "updated_at": assistant.updated_at.isoformat(),
    }
