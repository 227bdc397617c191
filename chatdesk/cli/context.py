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
from chatdesk.core.i18n import ntr, number, percent, tr
from chatdesk.core.views import ContextBreakdown, SummaryView


def add_commands(commands: Any) -> None:
    tokens = commands.add_parser("tokens", help=tr("what a thread's next request holds, in tokens"))
    tokens.add_argument("thread", help=tr("thread id or id prefix"))
    tokens.add_argument(
        "--draft", metavar="TEXT", default="", help=tr("count TEXT as the next message")
    )
    tokens.add_argument("--json", action="store_true")
    tokens.set_defaults(handler=sync(_tokens))
    summarize = commands.add_parser(
        "summarize", help=tr("summarise a thread's older messages now (all but the last exchange)")
    )
    summarize.add_argument("thread", help=tr("thread id or id prefix"))
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
    head = _head_line(parts, about)
    # translators: the parts of a request, in a table: the system prompt
    system = tr("system")
    # translators: the parts of a request, in a table: the summary of older messages
    summary = tr("summary")
    # translators: the parts of a request, in a table: the earlier messages sent again
    history = tr("history")
    # translators: the parts of a request, in a table: the message being written
    draft = tr("draft")
    # translators: the parts of a request, in a table: the memories given with the question
    memory = tr("memory")
    servers = _instructions_label()
    width = max(len(label) for label in (system, summary, history, draft, memory, servers)) + 2
    messages = ntr("({n} messages)", "({n} messages)", parts.messages)
    lines = [
        head,
        f"  {system:<{width}}{about}{parts.system:>10,}",
        f"  {summary:<{width}}{about}{parts.summary:>10,}",
        f"  {history:<{width}}{about}{parts.history:>10,}  {messages}",
        f"  {draft:<{width}}{about}{parts.draft:>10,}",
        ntr(
            "context window {window} tokens, {n} of them kept for the answer",
            "context window {window} tokens, {n} of them kept for the answer",
            parts.reserve,
            window=number(parts.window),
        ),
    ]
    if parts.memory or parts.memories:
        given = ntr("({n} memory)", "({n} memories)", parts.memories)
        lines.insert(4, f"  {memory:<{width}}{about}{parts.memory:>10,}  {given}")
    if parts.instructions:
        lines.insert(2, f"  {servers:<{width}}{about}{parts.instructions:>10,}")
    if parts.omitted:
        lines.append(
            ntr(
                "{n} older messages are neither summarised nor sent",
                "{n} older messages are neither summarised nor sent",
                parts.omitted,
            )
        )
    return lines


def _head_line(parts: ContextBreakdown, about: str) -> str:
    share = parts.used / parts.budget if parts.budget else 0.0
    used: dict[str, Any] = {
        "model": parts.model,
        "about": about,
        "used": number(parts.used),
        "share": percent(share),
    }
    if parts.estimated:
        return ntr(
            "{model}: {about}{used} of {n} tokens ({share}) (estimated)",
            "{model}: {about}{used} of {n} tokens ({share}) (estimated)",
            parts.budget,
            **used,
        )
    return ntr(
        "{model}: {about}{used} of {n} tokens ({share})",
        "{model}: {about}{used} of {n} tokens ({share})",
        parts.budget,
        **used,
    )


def _instructions_label() -> str:
    # translators: the parts of a request, in a table: what tool servers said of their tools
    return tr("tool servers' instructions")


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
        "memory": parts.memory,
        "memories": parts.memories,
        "instructions": parts.instructions,
        "summary_id": str(parts.summary_id) if parts.summary_id else None,
    }


async def _summarize(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.thread)
    summary = await core.service.summarize_now(thread_id)
    if args.json:
        print_json({"thread_id": str(thread_id), "summary": _summary_json(summary)})
    elif summary is None:
        print(tr("nothing to summarise yet: only the last exchange is left unsummarised"))
    else:
        model = f"{summary.provider}/{summary.model}"
        count = summary.token_count
        print(
            ntr(
                "summary by {model}, {n} tokens:",
                "summary by {model}, {n} tokens:",
                count,
                model=model,
            )
            + "\n"
        )
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
