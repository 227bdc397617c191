"""`chatdesk threads …`: list, show, rename, delete and restore threads; and the JSON of a thread
and of its messages, which `ask` prints too."""

from __future__ import annotations

import argparse
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.attachments import attachment_json
from chatdesk.cli.output import note, print_json, report
from chatdesk.cli.printing import print_sources
from chatdesk.cli.running import sync
from chatdesk.core.assistants.builtin import said
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.kinds import Status
from chatdesk.core.views import MessageView, ThreadFilter, ThreadView, ToolCallView


def add_commands(commands: Any) -> None:
    listed = _list_options()
    threads = commands.add_parser(
        "threads",
        parents=[listed],
        help=tr("list, show, rename, delete threads (alone: list them)"),
        description=tr(
            "Alone, or with the options of list, lists threads, most recent first; a command "
            "shows, renames, deletes or restores one."
        ),
    )
    # translators: what the usage line calls the optional word after `chatdesk threads`
    thread_commands = threads.add_subparsers(
        dest="action", title=tr("commands"), metavar=tr("[command]")
    )
    threads.set_defaults(handler=sync(_threads_list))
    listing = thread_commands.add_parser(
        "list", parents=[listed], help=tr("threads, most recent first (the default)")
    )
    listing.set_defaults(handler=sync(_threads_list))
    show = thread_commands.add_parser("show", help=tr("the messages of a thread's active branch"))
    show.add_argument("id")
    show.add_argument("--limit", type=int, default=50, help=tr("newest N messages (default 50)"))
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=sync(_threads_show))
    rename = thread_commands.add_parser("rename", help=tr("give a thread a new title"))
    rename.add_argument("id")
    rename.add_argument("title")
    rename.add_argument("--json", action="store_true")
    rename.set_defaults(handler=sync(_threads_rename))
    remove = thread_commands.add_parser("delete", help=tr("move a thread to the trash"))
    remove.add_argument("id")
    remove.add_argument("--json", action="store_true")
    remove.set_defaults(handler=sync(_threads_delete))
    restore = thread_commands.add_parser("restore", help=tr("bring a thread back from the trash"))
    restore.add_argument("id")
    restore.add_argument("--json", action="store_true")
    restore.set_defaults(handler=sync(_threads_restore))


def _list_options() -> argparse.ArgumentParser:
    """The options of listing, which `threads` alone takes too."""
    options = argparse.ArgumentParser(add_help=False)
    shown = options.add_mutually_exclusive_group()
    shown.add_argument("--archived", action="store_true", help=tr("only archived threads"))
    shown.add_argument("--deleted", action="store_true", help=tr("only threads in the trash"))
    shown.add_argument("--all", action="store_true", help=tr("archived threads too"))
    options.add_argument("--pinned", action="store_true", help=tr("only pinned threads"))
    options.add_argument("--limit", type=int, default=50, help=tr("at most this many (default 50)"))
    options.add_argument("--json", action="store_true")
    return options


# -- threads -------------------------------------------------------------------------------------


async def _threads_list(core: Core, args: argparse.Namespace) -> int:
    archived: bool | None = False
    if args.archived:
        archived = True
    elif args.all or args.deleted:
        archived = None
    where = ThreadFilter(
        pinned=True if args.pinned else None, archived=archived, deleted=args.deleted
    )
    if not 1 <= args.limit <= 100_000:
        raise InvalidRequest(tr("--limit must be between 1 and 100000"))
    threads: list[ThreadView] = []
    cursor = None
    while len(threads) < args.limit:
        page = await core.service.list_threads(
            where, limit=min(500, args.limit - len(threads)), cursor=cursor
        )
        threads.extend(page.threads)
        cursor = page.next_cursor
        if cursor is None:
            break
    if args.json:
        print_json([thread_json(thread) for thread in threads])
        return 0
    for thread in threads:
        flags = ("P" if thread.pinned else "-") + ("A" if thread.archived else "-")
        when = thread.last_activity_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{thread.id.hex[:12]}  {when}  {flags}  {thread.message_count:>6}  {thread.title}")
    if not threads:
        note(tr("no threads"))
    return 0


async def _threads_show(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.id)
    thread = await core.service.get_thread(thread_id)
    page = await core.service.list_messages(thread_id, limit=max(1, min(args.limit, 1000)))
    if args.json:
        print_json(
            {
                **thread_json(thread),
                "messages": [message_json(m) for m in page.messages],
                "has_more_before": page.has_more_before,
            }
        )
        return 0
    print(f"# {thread.title}")
    if page.has_more_before:
        print(tr("(older messages not shown; use --limit to see more)"))
    for message in page.messages:
        status = "" if message.status is Status.COMPLETE else f" [{message.status.value}]"
        branch = (
            f" ({message.sibling_index}/{message.sibling_count})"
            if message.sibling_count > 1
            else ""
        )
        agent = f" ({said(message.agent)})" if message.agent else ""
        print(f"\n## {message.role.value}{agent}{status}{branch}\n")
        print(message.content)
        print_sources(message)  # numbered as the answer cites them, as `ask` prints them
        if message.error_detail and message.status is not Status.COMPLETE:
            print(f"\n> {message.error_detail}")
    return 0


async def _threads_rename(core: Core, args: argparse.Namespace) -> int:
    thread = await core.service.rename_thread(
        await core.service.resolve_thread(args.id), args.title
    )
    said = tr("renamed {id} to {title!r}", id=thread.id.hex[:12], title=thread.title)
    report(args, thread_json(thread), said)
    return 0


async def _threads_delete(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.id)
    await core.service.delete_thread(thread_id)
    short = thread_id.hex[:12]
    report(
        args,
        {"id": str(thread_id), "deleted": True},
        tr("moved {short} to the trash (undo: chatdesk threads restore {short})", short=short),
    )
    return 0


async def _threads_restore(core: Core, args: argparse.Namespace) -> int:
    thread = await core.service.restore_thread(await core.service.resolve_thread(args.id))
    said = tr("restored {id} {title!r}", id=thread.id.hex[:12], title=thread.title)
    report(args, thread_json(thread), said)
    return 0


# -- output --------------------------------------------------------------------------------------


def thread_json(thread: ThreadView) -> dict[str, Any]:
    return {
        "id": str(thread.id),
        "title": thread.title,
        "project_id": str(thread.project_id) if thread.project_id else None,
        "pinned": thread.pinned,
        "archived": thread.archived,
        "deleted": thread.deleted,
        "provider": thread.provider,
        "model": thread.model,
        "message_count": thread.message_count,
        "total_tokens": thread.total_tokens,
        "last_activity_at": thread.last_activity_at.isoformat(),
        "created_at": thread.created_at.isoformat(),
    }


def message_json(message: MessageView) -> dict[str, Any]:
    return {
        "id": str(message.id),
        "parent_id": str(message.parent_id) if message.parent_id else None,
        "role": message.role.value,
        "status": message.status.value,
        "content": message.content,
        "reasoning": message.reasoning,
        "provider": message.provider,
        "model": message.model,
        "agent": message.agent,
        "usage": {
            "prompt_tokens": message.usage.prompt_tokens,
            "completion_tokens": message.usage.completion_tokens,
            "cached_tokens": message.usage.cached_tokens,
            "reasoning_tokens": message.usage.reasoning_tokens,
        },
        "latency_ms": message.latency_ms,
        "first_token_ms": message.first_token_ms,
        "error_type": message.error_type,
        "error_detail": message.error_detail,
        "branch": {"index": message.sibling_index, "count": message.sibling_count},
        "created_at": message.created_at.isoformat(),
        "tool_calls": [call_json(call) for call in message.tool_calls],
        "attachments": [attachment_json(item) for item in message.attachments],
        "sources": [
            {
                "number": s.number,
                "base": s.base,
                "path": s.path,
                "location": s.location,
                "text": s.text,
                **({"url": s.url, "title": s.title, "read_at": s.read_at} if s.is_web else {}),
            }
            for s in message.sources
        ],
        "cuts": [
            {"name": c.name, "unit": c.unit, "sent": c.sent, "total": c.total, "said": c.said()}
            for c in message.cuts
        ],
    }


def call_json(call: ToolCallView) -> dict[str, Any]:
    """A tool call and its result, as stored (the arguments as the model wrote them)."""
    return {
        "call_id": call.call_id,
        "server": call.server,
        "tool": call.tool,
        "arguments": call.arguments,
        "state": call.state,
        "approval": call.approval,
        "round": call.round,
        "duration_ms": call.duration_ms,
        "result": call.result,
        "is_error": call.is_error,
        "truncated": call.truncated,
        "size": call.size,
        "title": call.title,
        "destructive": call.destructive,
        "structured": call.structured,
        "mismatch": call.mismatch,
    }
