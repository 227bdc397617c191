"""`chatdesk export` and `chatdesk import`: threads out as Markdown, HTML or JSON, everything
out as one zip; chatdesk files and ChatGPT data exports in.

Progress goes to stderr when it is a terminal. Ctrl+C stops an import or an archive between
threads: what was imported stays (whole threads only), a half-written archive is removed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import print_json, warn
from chatdesk.cli.running import sync
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.transfer import ExportFormat, ExportProgress, ImportProgress, ImportReport

EXIT_INTERRUPTED = 130
_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def add_commands(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="write a thread as Markdown, HTML or JSON, or everything as a zip"
    )
    export.add_argument("thread", nargs="?", help="thread id or id prefix")
    export.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        help="md (readable), html (self-contained page) or json (every branch, lossless); "
        "default: from the file name, else md",
    )
    export.add_argument(
        "--all", action="store_true", help="every thread and project, as one zip (needs -o)"
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(handler=sync(_export))

    imported = commands.add_parser(
        "import", help="import a chatdesk export or a ChatGPT data export (.zip or .json)"
    )
    imported.add_argument("file", help="the file to import")
    imported.add_argument("--json", action="store_true", help="print the report as JSON")
    imported.set_defaults(handler=sync(_import))


# -- export --------------------------------------------------------------------------------------


async def _export(core: Core, args: argparse.Namespace) -> int:
    if args.all:
        return await _export_all(core, args)
    if not args.thread:
        raise InvalidRequest("name a thread to export, or give --all")
    thread_id = await core.service.resolve_thread(args.thread)
    output = Path(args.output) if args.output else None
    chosen = ExportFormat(args.format or _format_from(output))
    if output is not None:
        await core.transfer.export_thread(thread_id, chosen, output)
        return 0
    with contextlib.suppress(BrokenPipeError):
        await core.transfer.export_thread(thread_id, chosen, sys.stdout.buffer)
        sys.stdout.flush()
    return 0


def _format_from(output: Path | None) -> str:
    return _SUFFIXES.get(output.suffix.lower(), "md") if output is not None else "md"


async def _export_all(core: Core, args: argparse.Namespace) -> int:
    if args.thread:
        raise InvalidRequest("give a thread or --all, not both")
    if not args.output:
        raise InvalidRequest("--all writes a zip file: give it with -o FILE.zip")
    show = _Progress() if sys.stderr.isatty() else None

    def shown(progress: ExportProgress) -> None:
        if show is not None:
            show(f"exporting: {progress.threads_done:,} of {progress.threads_total:,} threads")

    with _stopped_by_ctrl_c() as stop:
        report = await core.transfer.export_all(Path(args.output), progress=shown, cancel=stop)
    if show is not None:
        show.done()
    if report.cancelled:
        warn("stopped; no archive was written")
        return EXIT_INTERRUPTED
    print(
        f"wrote {report.threads:,} threads ({report.messages:,} messages) and "
        f"{report.projects:,} projects to {report.path}"
    )
    return 0


# -- import --------------------------------------------------------------------------------------


async def _import(core: Core, args: argparse.Namespace) -> int:
    path = Path(args.file)
    show = _Progress() if sys.stderr.isatty() else None

    def shown(progress: ImportProgress) -> None:
        if show is not None:
            show(
                f"importing: {progress.fraction:.0%} · {progress.threads_added:,} threads, "
                f"{progress.messages:,} messages"
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
    source = "a ChatGPT export" if report.source == "chatgpt" else "a chatdesk export"
    line = f"imported {report.threads_added:,} threads ({report.messages:,} messages) from {source}"
    if report.threads_skipped:
        line += f"; {report.threads_skipped:,} were already here and were left as they are"
    print(line)
    if report.cancelled:
        warn("stopped before the end; run the import again to bring in the rest")
    if report.problems_total:
        warn(f"{report.problems_total:,} could not be imported:")
        for problem in report.problems:
            print(f"  {problem.where}: {problem.reason}", file=sys.stderr)
        if report.problems_total > len(report.problems):
            hidden = report.problems_total - len(report.problems)
            print(f"  … and {hidden:,} more", file=sys.stderr)


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
    }


# -- helpers -------------------------------------------------------------------------------------


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
