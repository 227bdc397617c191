"""What the transfer dialog says when a task ran to its end: (heading, text, details).

A refused task (a file that is not an export, a folder that cannot be written) says only the
core's sentence; `actions.py` shows that itself."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.i18n import mark, ntr, tr

if TYPE_CHECKING:
    from chatdesk.core.transfer import ArchiveReport, ImportReport

Outcome = tuple[str, str, list[str]]
# Where the chats imported came from: "Added 3 chats (12 messages) from a ChatGPT export."
_SOURCES = {
    # translators: where imported chats came from ("… from a ChatGPT export.")
    "chatgpt": mark("a ChatGPT export"),
    # translators: where imported chats came from ("… from a chatdesk export.")
    "chatdesk": mark("a chatdesk export"),
}
# translators: where imported chats came from, of a kind not known ("… from the file.")
_SOME_FILE = mark("the file")


def import_outcome(report: ImportReport) -> Outcome:
    source = tr(_SOURCES.get(report.source, _SOME_FILE))
    lines = [
        ntr(
            "Added {n} chat ({messages}) from {source}.",
            "Added {n} chats ({messages}) from {source}.",
            report.threads_added,
            messages=_messages(report.messages),
            source=source,
        )
    ]
    if report.threads_skipped:
        lines.append(
            ntr(
                "{n} chat already here was left as it is (nothing is imported twice).",
                "{n} chats already here were left as they are (nothing is imported twice).",
                report.threads_skipped,
            )
        )
    if report.cancelled:
        lines.append(
            tr(
                "Stopped before the end: the chats added are complete. Import the file again "
                "to bring in the rest."
            )
        )
    details = [f"{p.where}: {p.reason}" for p in report.problems]
    if report.problems_total:
        lines.append(
            ntr(
                "{n} entry could not be imported:",
                "{n} entries could not be imported:",
                report.problems_total,
            )
        )
        hidden = report.problems_total - len(report.problems)
        if hidden > 0:
            details.append(ntr("… and {n} more", "… and {n} more", hidden))
    heading = tr("Import stopped") if report.cancelled else tr("Import finished")
    return heading, "\n".join(lines), details


def archive_outcome(outcome: ArchiveReport, path: Path) -> Outcome:
    if outcome.cancelled:
        return tr("Export stopped"), tr("Nothing was written; {path} is as it was.", path=path), []
    text = ntr(
        "Wrote {n} chat ({messages}) and {projects} to {path}.",
        "Wrote {n} chats ({messages}) and {projects} to {path}.",
        outcome.threads,
        messages=_messages(outcome.messages),
        projects=ntr("{n} project", "{n} projects", outcome.projects),
        path=outcome.path,
    )
    return tr("Export finished"), text, []


def _messages(count: int) -> str:
    return ntr("{n} message", "{n} messages", count)
