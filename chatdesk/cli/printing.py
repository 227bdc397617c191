"""What `chatdesk ask` writes while an answer streams."""

from __future__ import annotations

import contextlib
import uuid
from typing import TextIO

from chatdesk.core.chat.events import AnswerTextAppended, Event
from chatdesk.core.i18n import tr
from chatdesk.core.views import CitedSource, MessageView


class AnswerPrinter:
    """Writes streamed text to stdout as it arrives; survives a closed pipe."""

    def __init__(self, out: TextIO, *, enabled: bool) -> None:
        self._out = out
        self._enabled = enabled
        self._printed: list[str] = []
        self.message_id: uuid.UUID | None = None

    def on_event(self, event: Event) -> None:
        if isinstance(event, AnswerTextAppended) and event.message_id == self.message_id:
            self._write(event.text)

    def finish(self, answer: MessageView) -> None:
        printed = "".join(self._printed)
        if answer.content.startswith(printed):
            self._write(answer.content[len(printed) :])
        if self._printed and not "".join(self._printed).endswith("\n"):
            self._write("\n")

    def _write(self, text: str) -> None:
        if not self._enabled or not text:
            return
        self._printed.append(text)
        try:
            self._out.write(text)
            self._out.flush()
        except BrokenPipeError:
            self._enabled = False  # the reader went away; the answer is still saved


def print_sources(answer: MessageView) -> None:
    """What an answer cites, numbered as it cites them: the passages of knowledge bases it was
    given or found, and the pages it read (title, address, site and when)."""
    lines = [source_line(s) for s in answer.sources]
    with contextlib.suppress(BrokenPipeError):  # the reader went away; the answer is saved
        if lines:
            print("\n" + tr("Sources:") + "\n" + "\n".join(lines), flush=True)


def source_line(source: CitedSource) -> str:
    """ "[1] report.pdf, page 3", or "[2] A page's title — https://… (site, read 2026-…)"."""
    if source.is_web:
        read = source.read_at.replace("T", " ")[:16]
        facts = ", ".join(f for f in (source.location, read and tr("read {when}", when=read)) if f)
        return f"[{source.number}] {source.name} — {source.url}" + (f" ({facts})" if facts else "")
    return f"[{source.number}] {source.path}{f', {source.location}' if source.location else ''}"
