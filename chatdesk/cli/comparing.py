"""`chatdesk ask --compare P/M,P/M`: one message to two to four models; the first answer streams
to stdout, the others follow it, each under its model's name."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.kinds import MAX_COMPARED, MIN_COMPARED

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import MessageView


def compared_models(text: str) -> list[tuple[str, str]]:
    """ "mock/mock-1,openai/gpt-4o" as (provider, model) pairs (argparse's type)."""
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        provider, slash, model = item.partition("/")
        if not slash or not provider or not model:
            raise argparse.ArgumentTypeError(tr("{item!r} is not provider/model", item=item))
        pairs.append((provider, model))
    if not MIN_COMPARED <= len(dict.fromkeys(pairs)) <= MAX_COMPARED:
        raise argparse.ArgumentTypeError(
            tr(
                "compare {fewest} to {most} different models, not {given}",
                fewest=MIN_COMPARED,
                most=MAX_COMPARED,
                given=len(pairs),
            )
        )
    return list(dict.fromkeys(pairs))


def heading(model: str | None) -> None:
    with contextlib.suppress(BrokenPipeError):
        print(f"── {model} ──", flush=True)


async def the_others(
    service: ChatService, others: Sequence[MessageView], *, stop: bool, show: bool
) -> list[MessageView]:
    """The comparison's other answers once they end (stopped, when the first was), each
    printed under its model when `show`."""
    ended = []
    for other in others:
        done = await (service.stop(other.id) if stop else service.wait_for_answer(other.id))
        ended.append(done)
        if show:
            with contextlib.suppress(BrokenPipeError):  # the reader went away; all is saved
                print(f"\n── {done.model} ──\n{done.content.rstrip()}", flush=True)
            if done.error_detail:
                print(f"({done.status.value}: {done.error_detail})", file=sys.stderr)
    return ended
