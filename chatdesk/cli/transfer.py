"""`chatdesk export` and `chatdesk import`: threads out as Markdown, HTML or JSON, everything
out as one zip; chatdesk files and ChatGPT data exports in.

Progress goes to stderr when it is a terminal. Ctrl+C stops an import or an archive between
threads: what was imported stays (whole threads only), a half-written archive is removed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import EXIT_INTERRUPTED, print_json, warn
from chatdesk.cli.running import sync
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr, number, percent, tr
from chatdesk.core.transfer import ExportFormat, ExportProgress, ImportProgress, ImportReport

_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def add_commands(commands: Any) -> None:
    export = commands.add_parser(
        "export", help=tr("write a thread as Markdown, HTML or JSON, or everything as a zip")
    )
    export.add_argument("thread", nargs="?", help=tr("thread id or id prefix"))
    export.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        help=tr(
            "md (readable), html (self-contained page) or json (every branch, lossless); "
            "default: from the file name, else md"
        ),
    )
    export.add_argument(
        "--all", action="store_true", help=tr("every thread and project, as one zip (needs -o)")
    )
    export.add_argument("-o", "--output", metavar="FILE", help=tr("write here (default: stdout)"))
    export.add_argument(
        "--memories",
        action="store_true",
        help=tr("with every memory too (json and --all only; an export holds none without it)"),
    )
    export.set_defaults(handler=sync(_export))

    imported = commands.add_parser(
        "import", help=tr("import a chatdesk export or a ChatGPT data export (.zip or .json)")
    )
    imported.add_argument("file", help=tr("the file to import"))
    imported.add_argument("--json", action="store_true", help=tr("print the report as JSON"))
    imported.set_defaults(handler=sync(_import))


# -- export --------------------------------------------------------------------------------------


async def _export(core: Core, args: argparse.Namespace) -> int:
    if args.all:
        return await _export_all(core, args)
    if not args.thread:
        raise InvalidRequest(tr("name a thread to export, or give --all"))
    thread_id = await core.service.resolve_thread(args.thread)
    output = Path(args.output) if args.output else None
    chosen = ExportFormat(args.format or _format_from(output))
    if output is not None:
        await core.transfer.export_thread(thread_id, chosen, output, memories=args.memories)
        return 0
    with contextlib.suppress(BrokenPipeError):
        out = sys.stdout.buffer
        await core.transfer.export_thread(thread_id, chosen, out, memories=args.memories)
        sys.stdout.flush()
    return 0


def _format_from(output: Path | None) -> str:
    return _SUFFIXES.get(output.suffix.lower(), "md") if output is not None else "md"


async def _export_all(core: Core, args: argparse.Namespace) -> int:
    if args.thread:
        raise InvalidRequest(tr("give a thread or --all, not both"))
    if not args.output:
        raise InvalidRequest(tr("--all writes a zip file: give it with -o FILE.zip"))
    show = _Progress() if sys.stderr.isatty() else None

    def shown(progress: ExportProgress) -> None:
        if show is not None:
            show(
                ntr(
                    "exporting: {done} of {n} threads",
                    "exporting: {done} of {n} threads",
                    progress.threads_total,
                    done=number(progress.threads_done),
                )
            )

    with _stopped_by_ctrl_c() as stop:
        report = await core.transfer.export_all(
            Path(args.output), progress=shown, cancel=stop, memories=args.memories
        )
    if show is not None:
        show.done()
    if report.cancelled:
        warn(tr("stopped; no archive was written"))
        return EXIT_INTERRUPTED
    print(
        tr(
            "wrote {threads} ({messages}) and {projects} to {path}",
            threads=_threads(report.threads),
            messages=_messages(report.messages),
            projects=ntr("{n} projects", "{n} projects", report.projects),
            path=report.path,
        )
    )
    return 0


# -- import --------------------------------------------------------------------------------------


async def _import(core: Core, args: argparse.Namespace) -> int:
    path = Path(args.file)
    show = _Progress() if sys.stderr.isatty() else None

    def shown(progress: ImportProgress) -> None:
        if show is not None:
            show(
                tr(
                    "importing: {share} · {threads}, {messages}",
                    share=percent(progress.fraction),
                    threads=_threads(progress.threads_added),
                    messages=_messages(progress.messages),
                )
            )

    with _stopped_by_ctrl_c() as stop:
        report = await core.transfer.import_file(path, progress=shown, cancel=stop)
    if show is not None:
        show.done()
    if args.json:
        print_json(_report_json(report))
    else:
        _print_report(report)
    return EXIT_INTERRUPTED if report.cancelled else 0


def _print_report(report: ImportReport) -> None:
    counts = {
        "threads": _threads(report.threads_added),
        "messages": _messages(report.messages),
    }
    if report.source == "chatgpt":
        line = tr("imported {threads} ({messages}) from a ChatGPT export", **counts)
    else:
        line = tr("imported {threads} ({messages}) from a chatdesk export", **counts)
    if report.threads_skipped:
        line = ntr(
            "{imported}; {n} were already here and were left as they are",
            "{imported}; {n} were already here and were left as they are",
            report.threads_skipped,
            imported=line,
        )
    print(line)
    if report.memories is not None:
        from chatdesk.core.memory.service import imported_said

        print(imported_said(report.memories))
    if report.cancelled:
        warn(tr("stopped before the end; run the import again to bring in the rest"))
    if report.problems_total:
        warn(
            ntr(
                "{n} could not be imported:",
                "{n} could not be imported:",
                report.problems_total,
            )
        )
        for problem in report.problems:
            print(f"  {problem.where}: {problem.reason}", file=sys.stderr)
        if report.problems_total > len(report.problems):
            hidden = report.problems_total - len(report.problems)
            print("  " + ntr("… and {n} more", "… and {n} more", hidden), file=sys.stderr)


def _report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "threads_added": report.threads_added,
        "threads_skipped": report.threads_skipped,
        "messages": report.messages,
        "problems": [{"where": p.where, "reason": p.reason} for p in report.problems],
        "problems_total": report.problems_total,
        "cancelled": report.cancelled,
        "thread_ids": [str(i) for i in report.thread_ids],
        "memories": None if report.memories is None else dataclasses.asdict(report.memories),
    }


# -- helpers -------------------------------------------------------------------------------------


def _threads(count: int) -> str:
    return ntr("{n} threads", "{n} threads", count)


def _messages(count: int) -> str:
    return ntr("{n} messages", "{n} messages", count)


class _Progress:
    """One line on stderr, rewritten in place."""

    def __init__(self) -> None:
        self._width = 0

    def __call__(self, text: str) -> None:
        sys.stderr.write("\r" + text.ljust(self._width))
        sys.stderr.flush()
        self._width = len(text)

    def done(self) -> None:
        if self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()


@contextlib.contextmanager
def _stopped_by_ctrl_c() -> Iterator[asyncio.Event]:
    """An event set by Ctrl+C (or SIGTERM) while the block runs."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
