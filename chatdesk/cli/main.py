"""`chatdesk` on the command line. With no command it opens the window.

Every command drives the same ChatService as the window. Errors are one line on stderr and a
non-zero exit code: 1 for a failure, 2 for a bad request, 130 when stopped with Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from chatdesk import __version__
from chatdesk.cli.ask import add_command as add_ask_command
from chatdesk.cli.assistants import add_commands as add_assistant_commands
from chatdesk.cli.attachments import add_commands as add_attachment_commands
from chatdesk.cli.caps import add_commands as add_caps_commands
from chatdesk.cli.context import add_commands as add_context_commands
from chatdesk.cli.db import add_commands as add_db_commands
from chatdesk.cli.extras import add_commands as add_extra_commands
from chatdesk.cli.knowledge import add_commands as add_knowledge_commands
from chatdesk.cli.memory import add_commands as add_memory_commands
from chatdesk.cli.output import EXIT_INTERRUPTED, fail, warn
from chatdesk.cli.prompts import add_commands as add_prompt_commands
from chatdesk.cli.providers import add_commands as add_provider_commands
from chatdesk.cli.search import add_commands as add_search_commands
from chatdesk.cli.serve import add_commands as add_serve_commands
from chatdesk.cli.server import add_server_commands
from chatdesk.cli.speak import add_commands as add_speak_commands
from chatdesk.cli.sync import add_commands as add_sync_commands
from chatdesk.cli.terminal import guarded
from chatdesk.cli.threads import add_commands as add_thread_commands
from chatdesk.cli.tools import add_commands as add_tool_commands
from chatdesk.cli.tools import split_server_command
from chatdesk.cli.transfer import add_commands as add_transfer_commands
from chatdesk.cli.voice import add_commands as add_voice_commands
from chatdesk.cli.web import add_commands as add_web_commands
from chatdesk.configuration import Configuration, configure
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import choose, set_language, system_languages, tr

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
        with guarded():
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
        with guarded():  # a server's or a page's words may be quoted in it
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

    add_ask_command(commands)
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
