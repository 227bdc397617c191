"""`chatdesk search QUERY`: the window's search, on the command line.

Matched words are bold on a terminal; `--json` gives each snippet with the offsets of its
matched words, for scripts.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import print_json
from chatdesk.cli.running import sync
from chatdesk.cli.terminal import BOLD, PLAIN
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.kinds import Role
from chatdesk.core.search import MessageHit, SearchFilters, SearchResults, Snippet, ThreadHit


def add_commands(commands: Any) -> None:
    search = commands.add_parser("search", help=tr("find messages and threads by their words"))
    search.add_argument("query", help=tr("words to find (any text: quotes and - are words too)"))
    search.add_argument("--limit", type=int, default=50, help=tr("at most N messages (default 50)"))
    search.add_argument("--project", metavar="P", help=tr("only threads in project P (name or id)"))
    search.add_argument("--thread", metavar="ID", help=tr("only this thread (id or id prefix)"))
    search.add_argument(
        "--role", choices=["user", "assistant"], help=tr("only messages by this role")
    )
    search.add_argument("--since", metavar="DATE", help=tr("written on or after DATE (YYYY-MM-DD)"))
    search.add_argument("--until", metavar="DATE", help=tr("written up to the end of DATE"))
    search.add_argument("--pinned", action="store_true", help=tr("only pinned threads"))
    search.add_argument("--archived", action="store_true", help=tr("archived threads too"))
    search.add_argument(
        "--advanced", action="store_true", help=tr("FTS5 syntax: AND, OR, NOT, NEAR, prefix*")
    )
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=sync(_search))


async def _search(core: Core, args: argparse.Namespace) -> int:
    filters = SearchFilters(
        project_id=await _project(core, args.project) if args.project else None,
        thread_id=await core.service.resolve_thread(args.thread) if args.thread else None,
        pinned=True if args.pinned else None,
        archived=None if args.archived else False,
        role=Role(args.role) if args.role else None,
        since=_moment(args.since, "--since") if args.since else None,
        until=_moment(args.until, "--until", end_of_day=True) if args.until else None,
    )
    results = await core.search.search(
        args.query, filters=filters, limit=args.limit, advanced=args.advanced
    )
    try:
        if args.json:
            print_json(_results_json(results))
        else:
            _print(results, bold=sys.stdout.isatty())
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


async def _project(core: Core, text: str) -> uuid.UUID:
    projects = await core.service.list_projects()
    wanted = text.strip().casefold()
    found = [p for p in projects if str(p.id) == wanted or p.id.hex == wanted]
    found = found or [p for p in projects if p.name.casefold() == wanted]
    if not found:
        raise NotFound(tr("no project named {name!r}", name=text))
    if len(found) > 1:
        raise InvalidRequest(tr("more than one project is named {name!r}; give its id", name=text))
    return found[0].id


def _moment(text: str, option: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or time; without a time zone, the local one. A bare date given to --until
    means up to the end of that day."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        said = tr("{option}: {text!r} is not a date like 2026-11-30", option=option, text=text)
        raise InvalidRequest(said) from None
    if end_of_day and len(text.strip()) == 10 and moment.time() == time(0):
        moment += timedelta(days=1)
    return moment if moment.tzinfo else moment.astimezone()


def _print(results: SearchResults, *, bold: bool) -> None:
    if not results.threads and not results.messages:
        print(tr("nothing matches {text!r}", text=results.text))
        return
    for thread in results.threads:
        title = _shown(thread.title, bold)
        print(tr("thread {id}  {title}", id=thread.thread_id.hex[:12], title=title))
    if results.threads and results.messages:
        print()
    for message in results.messages:
        when = message.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{message.thread_id.hex[:12]}  {message.thread_title}  · {message.role} · {when}")
        print(f"    {_shown(message.snippet, bold)}")


def _shown(snippet: Snippet, bold: bool) -> str:
    text = snippet.marked(BOLD, PLAIN) if bold else snippet.text
    return " ".join(text.split())


def _results_json(results: SearchResults) -> dict[str, Any]:
    return {
        "query": results.text,
        "ranking": results.ranking.value,
        "completed": results.completed,
        "threads": [_thread_json(hit) for hit in results.threads],
        "messages": [_message_json(hit) for hit in results.messages],
    }


def _thread_json(hit: ThreadHit) -> dict[str, Any]:
    return {
        "thread_id": str(hit.thread_id),
        "title": _snippet_json(hit.title),
        "project_id": str(hit.project_id) if hit.project_id else None,
        "pinned": hit.pinned,
        "archived": hit.archived,
        "last_activity_at": hit.last_activity_at.isoformat(),
    }


def _message_json(hit: MessageHit) -> dict[str, Any]:
    return {
        "message_id": str(hit.message_id),
        "thread_id": str(hit.thread_id),
        "thread_title": hit.thread_title,
        "project_id": str(hit.project_id) if hit.project_id else None,
        "role": hit.role.value,
        "created_at": hit.created_at.isoformat(),
        "snippet": _snippet_json(hit.snippet),
    }


def _snippet_json(snippet: Snippet) -> dict[str, Any]:
    return {"text": snippet.text, "highlights": [list(pair) for pair in snippet.highlights]}
