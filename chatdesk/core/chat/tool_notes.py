"""Tool calls as the model sees them once they are no longer the answer being written: each a
one-line note in the assistant's text, where the model made the call. An earlier answer's
rounds, and the older rounds of a long answer that no longer fit the model's budget, go this
way; the rounds of the answer being written go whole (assistant `tool_calls` and `tool`
messages, `tool_rounds.py`). Summaries read the same notes, so they describe tool use too."""

from __future__ import annotations

from collections.abc import Sequence

from chatdesk.core.kinds import CallState
from chatdesk.core.views import ToolCallView, placed_calls

ARGUMENTS_CHARS = 160  # of a call's arguments in its note
RESULT_CHARS = 240  # of the start of a result in its note


def note(call: ToolCallView) -> str:
    """One line: which tool was called, with what, and what came of it."""
    arguments = _clip(" ".join(call.arguments.split()) or "{}", ARGUMENTS_CHARS)
    return f"[Tool call {call.label} {arguments} → {outcome(call)}]"


def outcome(call: ToolCallView) -> str:
    """What came of a call, in a phrase for the model: its result's start, or why it has none."""
    first = _clip(" ".join((call.result or "").split()), RESULT_CHARS)
    if call.state in (CallState.DONE, CallState.FAILED):
        said = "error" if call.is_error else "result"
        size = f"{call.size:,} characters" if call.size else "empty"
        return f"{said} ({size}): {first}" if first else f"{said} ({size})"
    if call.state == CallState.NOT_RUN:
        return first or "not run"
    if call.stopped_by_user:
        return "did not finish (the user stopped it); it was not run again"
    return "did not finish (the app stopped); it was not run again"


def woven(content: str, calls: Sequence[ToolCallView]) -> str:
    """`content` with each call's note on a line of its own where the model made the call (its
    offset in the text); the calls of one place keep their order."""
    if not calls:
        return content
    pieces: list[str] = []
    for before, made in placed_calls(content, calls):
        if made:
            notes = "\n".join(note(call) for call in made)
            pieces += [before.rstrip(), "\n" if before.strip() else "", notes, "\n"]
        else:
            pieces.append(before.lstrip())
    return "".join(pieces).strip("\n")


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
