"""`chatdesk` on the command line. With no command it opens the window.

Every command drives the same ChatService as the window. Errors are one line on stderr and a
non-zero exit code: 1 for a failure, 2 for a bad request, 130 when stopped with Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk import __version__
from chatdesk.app import Configuration, Core, configure
from chatdesk.cli.assistants import add_commands as add_assistant_commands
from chatdesk.cli.attachments import add_commands as add_attachment_commands
from chatdesk.cli.call_progress import ProgressLine
from chatdesk.cli.caps import add_commands as add_caps_commands
from chatdesk.cli.comparing import compared_models, heading, the_others
from chatdesk.cli.context import add_commands as add_context_commands
from chatdesk.cli.db import add_commands as add_db_commands
from chatdesk.cli.extras import add_commands as add_extra_commands
from chatdesk.cli.knowledge import add_commands as add_knowledge_commands
from chatdesk.cli.memory import add_ask_arguments as add_memory_arguments
from chatdesk.cli.memory import add_commands as add_memory_commands
from chatdesk.cli.memory import memory_off_if_asked
from chatdesk.cli.output import fail, note, print_json, warn
from chatdesk.cli.printing import AnswerPrinter, print_sources
from chatdesk.cli.prompts import add_commands as add_prompt_commands
from chatdesk.cli.providers import add_commands as add_provider_commands
from chatdesk.cli.research import add_arguments as add_web_arguments
from chatdesk.cli.research import check as check_research
from chatdesk.cli.research import print_step
from chatdesk.cli.research import send as send_research
from chatdesk.cli.running import with_core
from chatdesk.cli.search import add_commands as add_search_commands
from chatdesk.cli.serve import add_commands as add_serve_commands
from chatdesk.cli.server import add_server_commands
from chatdesk.cli.speak import add_commands as add_speak_commands
from chatdesk.cli.sync import add_commands as add_sync_commands
from chatdesk.cli.terminal import guarded
from chatdesk.cli.threads import add_commands as add_thread_commands
from chatdesk.cli.threads import message_json
from chatdesk.cli.tool_resources import add_ask_argument as add_resource_argument
from chatdesk.cli.tool_resources import attach_resources
from chatdesk.cli.tools import add_commands as add_tool_commands
from chatdesk.cli.tools import chosen_tools, put_approver, split_server_command, with_web
from chatdesk.cli.transfer import add_commands as add_transfer_commands
from chatdesk.cli.voice import add_ask_argument as add_voice_argument
from chatdesk.cli.voice import add_commands as add_voice_commands
from chatdesk.cli.voice import check_voice_in, spoken_message
from chatdesk.cli.web import add_commands as add_web_commands
from chatdesk.core.attach.model import is_scan
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import choose, set_language, system_languages, tr
from chatdesk.core.kinds import Status
from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.views import AttachmentInput, MessageView, Turn

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService

EXIT_INTERRUPTED = 130
LANGUAGE_VARIABLE = "CHATDESK_UI_LANGUAGE"  # the language, over the ui.language setting

StartWindow = Callable[[str, str, str | None], int]
"""Opens the window for a request (its kind, its argument, the data folder given) and returns
the exit status. The entry point above the CLI hands it in (chatdesk/launch.py: start_window),
so the CLI never imports what starts it."""


def main(argv: Sequence[str] | None = None, start_window: StartWindow | None = None) -> int:
    forced = os.environ.get(LANGUAGE_VARIABLE) or ""  # the settings are read after the arguments,
    set_language(choose(forced or "system", system_languages()))  # so --help speaks the system's
    parser = _parser()
    argv, server_command = split_server_command(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.server_command = server_command
    try:
        config = configure(args.data_dir)
        setting = config.settings.ui.language
        if not forced and setting != "system" and args.command is not None:  # not the window's
            set_language(choose(setting, system_languages()))
        for issue in config.loaded.issues:
            warn(str(issue))
        if args.command is None:
            return _window(args, start_window)
        if args.show or args.quick or args.tray or args.open is not None:
            raise InvalidRequest(
                tr("--show, --quick, --open and --tray open the window: give them no command")
            )
        handler: Callable[[Configuration, argparse.Namespace], int] = args.handler
        with guarded():  # what comes from outside reaches a terminal as text only
            return handler(config, args)
    except ChatdeskError as error:
        fail(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


# -- argument parsing ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatdesk",
        description=tr("A desktop AI chat client. Without a command, opens the window."),
    )
    parser.add_argument("--version", action="version", version=f"chatdesk {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help=tr("where the database lives (or CHATDESK_DATA_DIR)")
    )
    _add_window_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_ask_command(commands)
    add_thread_commands(commands)
    add_provider_commands(commands)
    add_caps_commands(commands)
    add_assistant_commands(commands)
    add_prompt_commands(commands)
    add_knowledge_commands(commands)
    add_memory_commands(commands)
    add_context_commands(commands)
    add_transfer_commands(commands)
    add_search_commands(commands)
    add_web_commands(commands)
    add_tool_commands(commands)
    add_attachment_commands(commands)
    add_speak_commands(commands)
    add_sync_commands(commands)
    add_server_commands(commands)
    add_serve_commands(commands)
    add_voice_commands(commands)
    add_extra_commands(commands)

    add_db_commands(commands)
    return parser


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    """What the window is opened for; handed to the chatdesk running on the data folder."""
    asked = parser.add_mutually_exclusive_group()
    asked.add_argument(
        "--show",
        action="store_true",
        help=tr("show the window (the one running on this data folder, if one is)"),
    )
    asked.add_argument("--quick", action="store_true", help=tr("open the quick window"))
    asked.add_argument(
        "--open",
        metavar="URL|FILE",
        nargs="?",
        const="",
        help=tr(
            "follow a chatdesk: link (its prompt is never sent by itself), or offer to "
            "import the chats in a file"
        ),
    )
    asked.add_argument(
        "--tray", action="store_true", help=tr("start without showing the window (at login)")
    )


def _window(args: argparse.Namespace, start_window: StartWindow | None) -> int:
    """The window, or what was asked of it, by the chatdesk running on the data folder."""
    if start_window is None:  # a bug: only the entry point can open the window
        raise TypeError("chatdesk.cli.main opens the window only when given start_window")
    kind = "quick" if args.quick else "tray" if args.tray else "show"
    return start_window("open" if args.open else kind, args.open or "", args.data_dir)


def _add_ask_command(commands: Any) -> None:
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
    ask.set_defaults(handler=_ask)


# -- ask -----------------------------------------------------------------------------------------


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
    progress = ProgressLine(sys.stderr, enabled=not args.json and sys.stderr.isatty())
    followers = [printer.on_event, progress.on_event, *([print_step] if args.research else [])]
    unsubscribing = [service.events.subscribe(follower) for follower in followers]
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, stopped.set)
        loop.add_signal_handler(signal.SIGTERM, stopped.set)
    try:
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
        async with _sending(core, args, thread_id) as sent:
            turn = sent(await _send(service, args, thread_id, text, files, tools, chosen, bases))
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
    finally:
        for stop_following in (*unsubscribing, progress.clear):
            stop_following()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
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
    return EXIT_INTERRUPTED if stopped.is_set() else 1


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


@contextlib.asynccontextmanager
async def _sending(
    core: Core, args: argparse.Namespace, thread_id: uuid.UUID | None
) -> AsyncIterator[Callable[[Turn], Turn]]:
    """Someone to answer the cards of the turn's calls (the memory's, a rule's that asks) and,
    with --no-memory, the chat's memory off; the block hands it the turn it sent."""
    if core.service.tools.approver is None:
        put_approver(core.service.tools, args.approve)
    async with memory_off_if_asked(core, args, thread_id) as sent:
        yield sent


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
    choice = {"provider": args.provider, "model": args.model}
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
