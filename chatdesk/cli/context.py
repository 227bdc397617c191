"""`chatdesk tokens` and `chatdesk summarize`: a thread's context budget without the window.

`tokens` prints what the window's context gauge shows: the tokens the next message's request
would start with, against the model's budget, part by part.
"""

from __future__ import annotations

import argparse
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import print_json
from chatdesk.cli.running import sync
from chatdesk.core.chat.views import ContextBreakdown, SummaryView


def add_commands(commands: Any) -> None:
    tokens = commands.add_parser("tokens", help="what a thread's next request holds, in tokens")
    tokens.add_argument("thread", help="thread id or id prefix")
    tokens.add_argument(
        "--draft", metavar="TEXT", default="", help="count TEXT as the next message"
    )
    tokens.add_argument("--json", action="store_true")
    tokens.set_defaults(handler=sync(_tokens))
    summarize = commands.add_parser(
        "summarize", help="summarise a thread's older messages now (all but the last exchange)"
    )
    summarize.add_argument("thread", help="thread id or id prefix")
    summarize.add_argument("--json", action="store_true")
    summarize.set_defaults(handler=sync(_summarize))


async def _tokens(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.thread)
    usage = await core.service.context_usage(thread_id, args.draft)
    parts = usage.breakdown
    assert parts is not None  # the service always fills it in
    if args.json:
        print_json({"thread_id": str(thread_id), **_breakdown_json(parts)})
    else:
        print("\n".join(_breakdown_lines(parts)))
    return 0


def _breakdown_lines(parts: ContextBreakdown) -> list[str]:
    about = "≈" if parts.estimated else ""
    share = parts.used / parts.budget if parts.budget else 0.0
    lines = [
        f"{parts.model}: {about}{parts.used:,} of {parts.budget:,} tokens ({share:.0%})"
        + (" (estimated)" if parts.estimated else ""),
        f"  system   {about}{parts.system:>10,}",
        f"  summary  {about}{parts.summary:>10,}",
        f"  history  {about}{parts.history:>10,}  ({parts.messages:,} messages)",
        f"  draft    {about}{parts.draft:>10,}",
        f"context window {parts.window:,} tokens, {parts.reserve:,} of them kept for the answer",
    ]
    if parts.omitted:
        lines.append(f"{parts.omitted:,} older messages are neither summarised nor sent")
    return lines


def _breakdown_json(parts: ContextBreakdown) -> dict[str, Any]:
    return {
        "model": parts.model,
        "used": parts.used,
        "budget": parts.budget,
        "window": parts.window,
        "reserve": parts.reserve,
        "estimated": parts.estimated,
        "system": parts.system,
        "summary": parts.summary,
        "history": parts.history,
        "draft": parts.draft,
        "messages": parts.messages,
        "omitted": parts.omitted,
        "summary_id": str(parts.summary_id) if parts.summary_id else None,
    }


async def _summarize(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.thread)
    summary = await core.service.summarize_now(thread_id)
    if args.json:
        print_json({"thread_id": str(thread_id), "summary": _summary_json(summary)})
    elif summary is None:
        print("nothing to summarise yet: only the last exchange is left unsummarised")
    else:
        print(f"summary by {summary.provider}/{summary.model}, {summary.token_count:,} tokens:\n")
        print(summary.content)
    return 0


def _summary_json(summary: SummaryView | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {
        "id": str(summary.id),
        "covers_through_message_id": str(summary.covers_through_message_id),
        "content": summary.content,
        "token_count": summary.token_count,
        "provider": summary.provider,
        "model": summary.model,
        "created_at": summary.created_at.isoformat(),
    }
