"""What the transfer dialog says when a task ran to its end: (heading, text, details).

A refused task (a file that is not an export, a folder that cannot be written) says only the
core's sentence; `actions.py` shows that itself."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatdesk.core.transfer import ArchiveReport, ImportReport

Outcome = tuple[str, str, list[str]]
_SOURCES = {"chatgpt": "a ChatGPT export", "chatdesk": "a chatdesk export"}


def import_outcome(report: ImportReport) -> Outcome:
    source = _SOURCES.get(report.source, "the file")
    lines = [f"Added {_chats(report.threads_added)} ({report.messages:,} messages) from {source}."]
    if report.threads_skipped:
        lines.append(
            f"{_chats(report.threads_skipped)} already here were left as they are "
            "(nothing is imported twice)."
        )
    if report.cancelled:
        lines.append(
            "Stopped before the end: the chats added are complete. Import the file again to "
            "bring in the rest."
        )
    details = [f"{p.where}: {p.reason}" for p in report.problems]
    if report.problems_total:
        entries = "entry" if report.problems_total == 1 else "entries"
        lines.append(f"{report.problems_total:,} {entries} could not be imported:")
        hidden = report.problems_total - len(report.problems)
        if hidden > 0:
            details.append(f"… and {hidden:,} more")
    heading = "Import stopped" if report.cancelled else "Import finished"
    return heading, "\n".join(lines), details


def archive_outcome(outcome: ArchiveReport, path: Path) -> Outcome:
    if outcome.cancelled:
        return "Export stopped", f"Nothing was written; {path} is as it was.", []
    text = (
        f"Wrote {_chats(outcome.threads)} ({outcome.messages:,} messages) and "
        f"{_counted(outcome.projects, 'project')} to {outcome.path}."
    )
    return "Export finished", text, []


def _chats(count: int) -> str:
    return _counted(count, "chat")


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
