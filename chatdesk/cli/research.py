"""`chatdesk ask --web` and `--research`: the latter, a message answered by a research run, its
steps on stderr as they happen, the report on stdout, its sources listed after it. Ctrl+C
stops the searching and the report is written from what was read; Ctrl+C again stops the
report too."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import note
from chatdesk.cli.tools import put_approver
from chatdesk.core.chat.events import Event, ResearchProgressed
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    import uuid

    from chatdesk.core.service import ChatService
    from chatdesk.core.views import AttachmentInput, Turn


def add_arguments(ask: argparse.ArgumentParser) -> None:
    """`ask`'s options for the web: --web, and --research with its limits."""
    ask.add_argument(
        "--web",
        action="store_true",
        help=tr(
            "let the model search the web and read pages, citing them (a --thread chat keeps it)"
        ),
    )
    ask.add_argument(
        "--research",
        action="store_true",
        help=tr(
            "search and read the web in several steps, then write a report citing the pages "
            "(steps on stderr; Ctrl+C writes it from what was read)"
        ),
    )
    ask.add_argument(
        "--minutes",
        type=float,
        metavar="N",
        help=tr("with --research: search and read for at most N minutes (default: [web])"),
    )
    ask.add_argument(
        "--pages",
        type=int,
        metavar="N",
        help=tr("with --research: read at most N pages (default: [web])"),
    )


def check(args: argparse.Namespace) -> None:
    """What cannot go with what, said before anything is sent."""
    if args.research and args.compare:
        raise InvalidRequest(tr("--research and --compare cannot be used together"))
    if not args.research and (args.minutes is not None or args.pages is not None):
        raise InvalidRequest(tr("--minutes and --pages go with --research"))


def print_step(event: Event) -> None:
    """A research run's step, as it happens: "… Reading: … (3 of 30 pages, 0:42 of 5:00)"."""
    if isinstance(event, ResearchProgressed):
        note(f"… {event.said()}")


async def send(
    service: ChatService,
    args: argparse.Namespace,
    thread_id: uuid.UUID | None,
    text: str,
    files: list[AttachmentInput],
    extra: dict[str, Any],
) -> Turn:
    """The message, answered by a research run within --minutes and --pages; `extra`: the new
    chat's tools, assistant and knowledge bases, and the provider and model chosen."""
    if service.tools.approver is None:  # for [web] ask_first, or a rule that asks
        put_approver(service.tools, args.approve)
    limits = service.research.limits(args.minutes, args.pages)
    return await service.research.send(
        thread_id, text, limits=limits, attachments=files, over_cap=args.over_cap, **extra
    )
