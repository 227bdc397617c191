"""Running a command against the core: build it, start it, always close it."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from chatdesk.app import Core, build_core
from chatdesk.cli.output import EXIT_INTERRUPTED, warn
from chatdesk.configuration import Configuration
from chatdesk.core.i18n import tr

CoreCommand = Callable[[Core, argparse.Namespace], Awaitable[int]]


def sync(command: CoreCommand) -> Callable[[Configuration, argparse.Namespace], int]:
    def run(config: Configuration, args: argparse.Namespace) -> int:
        return asyncio.run(with_core(config, args, command))

    return run


async def with_core(config: Configuration, args: argparse.Namespace, command: CoreCommand) -> int:
    core = build_core(config)
    interrupted = False
    try:
        await core.start()
        problem = core.service.saving_problem
        if problem is not None:  # every chat can be read; writes say why not
            warn(tr("{problem}: nothing can be saved until it can be written.", problem=problem))
        code = await command(core, args)
        interrupted = code == EXIT_INTERRUPTED
        return code
    except (asyncio.CancelledError, KeyboardInterrupt):  # Ctrl+C where no handler is set
        interrupted = True
        raise
    finally:
        if interrupted:  # the user is waiting for the shell, not for the tool servers
            core.service.tools.hurried = True
        await core.aclose()
