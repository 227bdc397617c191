"""The line that stands for an answer's many tool calls when they are folded: "▸ 50 tool calls:
48 done, 2 failed"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.core.i18n import ntr
from chatdesk.core.kinds import CallState

if TYPE_CHECKING:
    from chatdesk.core.views import ToolCallView


def summary_line(calls: tuple[ToolCallView, ...], unfolded: bool) -> str:
    """The summary line: "▸ 50 tool calls: 48 done, 2 failed" (states as they first occur)."""
    counts: dict[str, int] = {}
    for call in calls:
        state = call.state if call.state in _COUNTED else "calling"
        if state == CallState.NOT_FINISHED and call.stopped_by_user:
            state = _STOPPED
        counts[state] = counts.get(state, 0) + 1
    said = ", ".join(_counted(state, count) for state, count in counts.items())
    # translators: {states} is "48 done, 2 failed"
    line = ntr("{n} tool call: {states}", "{n} tool calls: {states}", len(calls), states=said)
    return f"{'▾' if unfolded else '▸'} {line}"


_STOPPED = "stopped"  # not finished because the user stopped the answer
_COUNTED = (
    CallState.DONE,
    CallState.FAILED,
    CallState.NOT_RUN,
    CallState.NOT_FINISHED,
    CallState.WAITING,
    CallState.RUNNING,
)


def _counted(state: str, count: int) -> str:
    """How many of an answer's tool calls are in `state`: "48 done"."""
    match state:
        case CallState.DONE:
            # translators: tool calls that ended, in "50 tool calls: 48 done, 2 failed"
            return ntr("{n} done", "{n} done", count)
        case CallState.FAILED:
            # translators: tool calls that failed, in "50 tool calls: 48 done, 2 failed"
            return ntr("{n} failed", "{n} failed", count)
        case CallState.NOT_RUN:
            # translators: tool calls never run, in "50 tool calls: 48 done, 2 not run"
            return ntr("{n} not run", "{n} not run", count)
        case CallState.NOT_FINISHED:
            # translators: tool calls cut off, in "50 tool calls: 48 done, 2 not finished"
            return ntr("{n} not finished", "{n} not finished", count)
        case "stopped":
            # translators: tool calls the user's Stop cut off, in "50 tool calls: 48 done, 2
            # stopped by you"
            return ntr("{n} stopped by you", "{n} stopped by you", count)
        case CallState.WAITING:
            # translators: tool calls waiting for approval, in "5 tool calls: 3 done, 2 waiting"
            return ntr("{n} waiting", "{n} waiting", count)
        case CallState.RUNNING:
            # translators: tool calls running now, in "50 tool calls: 48 done, 2 running"
            return ntr("{n} running", "{n} running", count)
        case _:
            # translators: tool calls the model is still writing, in "8 tool calls: 1 calling"
            return ntr("{n} calling", "{n} calling", count)
