"""A running tool call's progress on the terminal, while `chatdesk ask` waits for it: one line
of stderr, "server › tool 40% step 2 of 5", written over as the server reports (a few times a
second at most: `ToolCallProgressed` is coalesced), and wiped when the call ends. Only on a
terminal, never with --json. What the server says is shown as plain text: its control
characters (a terminal's escape sequences among them) are dropped."""

from __future__ import annotations

import re
import shutil
from typing import TextIO

from chatdesk.core.chat.events import Event, MessageFinished, ToolCallChanged, ToolCallProgressed
from chatdesk.core.kinds import CallState

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class ProgressLine:
    """Given the chat's events (`on_event`); `clear()` wipes the line, when one is shown."""

    def __init__(self, out: TextIO, *, enabled: bool) -> None:
        self._out = out
        self._enabled = enabled
        self._labels: dict[str, str] = {}  # call id → "server › tool"
        self._shown = ""  # the call whose progress the line shows
        self._width = 0  # characters on the line now

    def on_event(self, event: Event) -> None:
        if not self._enabled:
            return
        match event:
            case ToolCallChanged(_, _, call):
                self._labels[call.call_id] = _plain(call.label)
                if call.state != CallState.RUNNING and call.call_id == self._shown:
                    self.clear()
            case ToolCallProgressed():
                self._show(event)
            case MessageFinished():
                self.clear()
            case _:
                pass

    def clear(self) -> None:
        if self._width:
            self._write("\r" + " " * self._width + "\r")
        self._width, self._shown = 0, ""

    def _show(self, event: ToolCallProgressed) -> None:
        label = self._labels.get(event.call_id, "")
        if event.total:
            done = f"{round(100 * min(1.0, max(0.0, event.progress / event.total)))}%"
        else:
            done = f"{event.progress:g}"
        text = " ".join(part for part in (label, done, _plain(event.message)) if part)
        text = text[: max(10, shutil.get_terminal_size().columns - 1)]
        self._write("\r" + text + " " * max(0, self._width - len(text)))
        self._width, self._shown = len(text), event.call_id

    def _write(self, text: str) -> None:
        try:
            self._out.write(text)
            self._out.flush()
        except (BrokenPipeError, ValueError):  # the terminal went away: the answer goes on
            self._enabled = False


def _plain(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()
