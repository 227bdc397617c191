"""`chatdesk ask`: a message sent, its answer streamed to stdout as it comes.

The message is the argument, stdin (`-`) or what a `--voice-in` file says; the thread, the
model, the assistant, files, tools, the web, knowledge bases and memory are chosen by options.
Ctrl+C stops the answer and keeps what came (exit code 130).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.app import Core
from chatdesk.cli.call_progress import ProgressLine
from chatdesk.cli.comparing import compared_models, heading, the_others
from chatdesk.cli.memory import add_ask_arguments as add_memory_arguments
from chatdesk.cli.output import EXIT_INTERRUPTED, fail, note, print_json
from chatdesk.cli.printing import AnswerPrinter, print_sources
from chatdesk.cli.research import add_arguments as add_web_arguments
from chatdesk.cli.research import check as check_research
from chatdesk.cli.research import print_step
from chatdesk.cli.research import send as send_research
from chatdesk.cli.running import with_core
from chatdesk.cli.threads import message_json
from chatdesk.cli.tool_resources import add_ask_argument as add_resource_argument
from chatdesk.cli.tool_resources import attach_resources
from chatdesk.cli.tool_servers import LeftOutLines
from chatdesk.cli.tools import chosen_tools, put_approver, with_web
from chatdesk.cli.voice import add_ask_argument as add_voice_argument
from chatdesk.cli.voice import check_voice_in, spoken_message
from chatdesk.configuration import Configuration
from chatdesk.core.attach.model import is_scan
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.kinds import Status
from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.views import AttachmentInput, MessageView, Turn

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService


def add_command(commands: Any) -> None:
    ask = commands.add_parser("ask", help=tr("send a message and stream the answer to stdout"))
    ask.add_argument("text", nargs="?", help=tr("the message; '-' reads it from stdin"))
    add_voice_argument(ask)
    where = ask.add_mutually_exclusive_group()
    where.add_argument("--thread", metavar="ID", help=tr("continue this thread (id or id prefix)"))
    where.add_argument("--new", action="store_true", help=tr("start a new thread (the default)"))
    ask.add_argument("--provider", metavar="P", help=tr("provider to use (default: from settings)"))
    ask.add_argument("--model", metavar="M", help=tr("model to use"))
    ask.add_argument(
        "--assistant", metavar="NAME", help=tr("who answers (a --thread chat keeps it)")
    )
    ask.add_argument(
        "--compare",
        metavar="P/M,P/M[,…]",
        type=compared_models,
        help=tr("send to 2–4 models at once (provider/model), answers one after another"),
    )
    ask.add_argument(
        "--kb",
        metavar="NAME",
        action="append",
        default=[],
        help=tr(
            "answer from this "
            "knowledge base, citing its passages (repeatable; a --thread chat keeps it)"
        ),
    )
    ask.add_argument("--json", action="store_true", help=tr("print one JSON object at the end"))
    _add_inputs(ask)
    ask.set_defaults(handler=_ask)


def _add_inputs(ask: argparse.ArgumentParser) -> None:
    """What the message brings besides its text: files, tools, the web, resources, memory."""
    ask.add_argument(
        "--attach",
        metavar="FILE",
        action="append",
        default=[],
        help=tr("attach a file (repeatable)"),
    )
    ask.add_argument(
        "--over-cap", action="store_true", help=tr("send past a reached spending cap, this once")
    )
    ask.add_argument(
        "--scan-pages",
        action="store_true",
        help=tr("send the pages of an attached scan (a PDF without text) as images too"),
    )
    ask.add_argument(
        "--tools", metavar="NAME[,NAME…]", help=tr("tool servers to switch on ('all': every one)")
    )
    add_web_arguments(ask)
    add_resource_argument(ask)
    add_memory_arguments(ask)
    ask.add_argument(
        "--approve",
        choices=["ask", "allow", "deny"],
        default="ask",
        help=tr(
            "calls that need approval: ask on the terminal (refused without one), allow or "
            "deny them all for this run (default: ask)"
        ),
    )


def _ask(config: Configuration, args: argparse.Namespace) -> int:
    check_research(args)
    check_voice_in(args)
    # before touching the database: bad input changes nothing (speech is heard with the core)
    text = None if args.voice_in else _read_text(args.text)
    return asyncio.run(with_core(config, args, lambda core, a: _ask_heard(core, a, text)))


async def _ask_heard(core: Core, args: argparse.Namespace, text: str | None) -> int:
    """`ask`, its message first heard in the `--voice-in` file when there is one."""
    return await _ask_async(core, args, await spoken_message(core, args) if text is None else text)


async def _ask_async(core: Core, args: argparse.Namespace, text: str) -> int:
    service = core.service
    thread_id = await service.resolve_thread(args.thread) if args.thread else None
    chosen = (await service.assistants.find(args.assistant)).id if args.assistant else None
    bases = [(await service.knowledge.find(name)).id for name in args.kb]
    printer = AnswerPrinter(sys.stdout, enabled=not args.json)
    stopped = asyncio.Event()
    async with _following(service, args, printer, stopped):
        tools = None  # without --tools: a new chat has its project's (none), a chat its own
        if args.tools:
            tools = chosen_tools(service.tools, args.tools, args.approve)
            if tools is None:
                return 1
        if args.web:
            tools = await with_web(service, tools, thread_id, chosen, args.approve)
        files = await _given_files(service, args)
        if args.scan_pages:
            files += [p for f in files for p in await _scan_pages(core, f)]
        if thread_id is not None:  # what was asked for changes the chat
            await _change_chat(service, thread_id, chosen, tools, bases)
        if service.tools.approver is None:  # someone to answer the cards of the turn's calls
            put_approver(service.tools, args.approve)
        turn = await _send(service, args, thread_id, text, files, tools, chosen, bases)
        printer.message_id = turn.answer.id
        answer = await _until_done_or_stopped(service.wait_for_answer(turn.answer.id), stopped)
        if answer is None and args.research:  # it stops searching and writes its report
            await service.stop(turn.answer.id)
            stopped.clear()
            answer = await _until_done_or_stopped(service.wait_for_answer(turn.answer.id), stopped)
        if answer is None:
            answer = await service.stop(turn.answer.id)
        printer.finish(answer)
        for cut in answer.cuts:  # said where the answer is read, not in it
            note(cut.said())
        if not args.json:
            print_sources(answer)
        others = await the_others(service, turn.others, stop=stopped.is_set(), show=not args.json)
    return _said(args, answer, others, stopped.is_set())


@contextlib.asynccontextmanager
async def _following(
    service: ChatService, args: argparse.Namespace, printer: AnswerPrinter, stopped: asyncio.Event
) -> AsyncIterator[None]:
    """The answer printed as it comes (and the research's steps, the progress line), and Ctrl+C
    or a SIGTERM setting `stopped` rather than killing the process, until the block ends."""
    progress = ProgressLine(sys.stderr, enabled=not args.json and sys.stderr.isatty())
    followers = [printer.on_event, progress.on_event, LeftOutLines().on_event]
    followers += [print_step] if args.research else []
    unsubscribing = [service.events.subscribe(follower) for follower in followers]
    try:
        with _interrupts_set(stopped):
            yield
    finally:
        for stop_following in (*unsubscribing, progress.clear):
            stop_following()


@contextlib.contextmanager
def _interrupts_set(stopped: asyncio.Event) -> Iterator[None]:
    """Ctrl+C sets `stopped` in the block: through the loop where it takes signal handlers
    (POSIX, SIGTERM too), else (Windows, whose Ctrl+C is CTRL_C_EVENT, seen as SIGINT) through
    Python's own handler, which hands it to the loop; what was there before comes back."""
    loop = asyncio.get_running_loop()
    sigs = [signal.SIGINT, signal.SIGTERM]
    try:
        for sig in sigs:
            loop.add_signal_handler(sig, stopped.set)
    except NotImplementedError:
        before = signal.signal(signal.SIGINT, lambda *_: loop.call_soon_threadsafe(stopped.set))
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, before)
        return
    try:
        yield
    finally:
        for sig in sigs:
            with contextlib.suppress(RuntimeError):
                loop.remove_signal_handler(sig)


def _said(
    args: argparse.Namespace, answer: MessageView, others: list[MessageView], stopped: bool
) -> int:
    """The end of `ask`: the JSON, or where to go on; the exit status the answer's state gives."""
    thread_id = answer.thread_id
    if args.json:
        compared = {"compared": [message_json(o) for o in others]} if others else {}
        print_json({"thread_id": str(thread_id), **message_json(answer), **compared})
    elif sys.stderr.isatty():
        note(tr("thread {id} (continue with --thread {id})", id=thread_id.hex[:12]))
    if answer.status is Status.COMPLETE:
        _say_if_offline_demo(answer)
        return 0
    fail(_status_line(answer))
    return EXIT_INTERRUPTED if stopped else 1


def _say_if_offline_demo(answer: MessageView) -> None:
    """On stderr, so that stdout stays the answer: the offline demo wrote it, not a model."""
    if answer.provider == "mock":
        note(
            tr(
                "chatdesk: this answer is from the built-in offline demo, not a model; "
                "connect one with `chatdesk providers add` or in the window."
            )
        )


async def _change_chat(
    service: ChatService,
    thread_id: uuid.UUID,
    chosen: uuid.UUID | None,
    tools: list[str] | None,
    bases: list[uuid.UUID],
) -> None:
    if chosen is not None:
        await service.assistants.use_in(thread_id, chosen)
    if tools is not None:
        await service.set_thread_tools(thread_id, tools)
    if bases:
        had = await service.knowledge.links("thread_id", thread_id)
        await service.knowledge.link("thread_id", thread_id, [*had, *bases])


async def _send(
    service: ChatService,
    args: argparse.Namespace,
    thread_id: uuid.UUID | None,
    text: str,
    files: list[AttachmentInput],
    tools: list[str] | None,
    chosen: uuid.UUID | None,
    bases: list[uuid.UUID],
) -> Turn:
    # --no-memory goes with the message: the chat's memory off from it on, the settings untouched
    choice = {"provider": args.provider, "model": args.model, "memory_off": args.no_memory}
    new = thread_id is None
    if args.research:
        made = {"tools": tools, "assistant_id": chosen, "knowledge": bases} if new else {}
        return await send_research(service, args, thread_id, text, files, made | choice)
    if args.compare:  # one answer from each model, side by side in the window
        turn = await service.comparisons.send(
            thread_id,
            text,
            args.compare,
            attachments=files,
            over_cap=args.over_cap,
            tools=tools if new else None,
            assistant_id=chosen if new else None,
            knowledge=bases if new else (),
            memory_off=args.no_memory,
        )
        if not args.json:
            heading(turn.answer.model)
        return turn
    if thread_id is None:  # the thread and the message in one transaction: a refused
        return await service.send_new(
            text,
            tools=tools,
            attachments=files,
            over_cap=args.over_cap,
            assistant_id=chosen,
            knowledge=bases,
            **choice,
        )
    return await service.send(thread_id, text, attachments=files, over_cap=args.over_cap, **choice)


async def _given_files(service: ChatService, args: argparse.Namespace) -> list[AttachmentInput]:
    """The files of --attach, then the resources of --resource."""
    files = [await service.attacher.attach_file(Path(name)) for name in args.attach]
    return files + await attach_resources(service, args.resource)


async def _scan_pages(core: Core, item: AttachmentInput) -> list[AttachmentInput]:
    """A scan's pages as images (none for a PDF that has text, or another file)."""
    return await core.service.attacher.pages_as_images(item) if is_scan(item.note) else []


async def _until_done_or_stopped(
    waiting: Awaitable[MessageView], stopped: asyncio.Event
) -> MessageView | None:
    answer = asyncio.ensure_future(waiting)
    stop = asyncio.ensure_future(stopped.wait())
    done, _ = await asyncio.wait({answer, stop}, return_when=asyncio.FIRST_COMPLETED)
    stop.cancel()
    if answer in done:
        return answer.result()
    answer.cancel()
    return None


def _read_text(argument: str) -> str:
    if argument == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidRequest(
                tr(
                    "the text on stdin is not valid UTF-8 (byte 0x{byte:02x} at offset {offset}); "
                    "nothing was sent",
                    byte=data[error.start],
                    offset=error.start,
                )
            ) from None
    else:
        text = argument
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRequest(tr("the message is not valid UTF-8; nothing was sent")) from None
    if not text.strip():
        raise InvalidRequest(tr("the message is empty; nothing was sent"))
    return text


def _status_line(answer: MessageView) -> str:
    detail = answer.error_detail or ""
    if answer.status is Status.INTERRUPTED:
        return tr("answer interrupted: {detail} The partial answer was saved.", detail=detail)
    if answer.error_type == ErrorKind.CONVERSATION_TOO_LONG:
        short = answer.thread_id.hex[:12]
        return tr(
            "answer failed: {detail} To go on in this thread, run chatdesk summarize {short} "
            "and ask again with --thread {short}, or ask with --model naming a model with a "
            "larger context window.",
            detail=detail,
            short=short,
        )
    return tr("answer failed: {detail} The partial answer was saved.", detail=detail)
