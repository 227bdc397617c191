"""The offline mock's use of memory, deterministic, so the offline app and the tests show the
whole flow: while the memory's tools are offered, "remember that X" calls `remember` with X and
"forget memory 3" (or "forget that X", matched against the memories it was given) calls
`forget`; after the call it says what happened. Asked what it remembers, it lists the memories
it was given; given memories with any other question, it says which it goes by."""

from __future__ import annotations

import json
import re

from chatdesk.core.prompts import MEMORY_MARKER
from chatdesk.core.providers.base import ChatRequest, ToolCall
from chatdesk.core.words import asks_what_is_remembered

REMEMBER, FORGET = "remember", "forget"
_REMEMBER = re.compile(r"\bremember(?:\s+that)?\s*[:,]?\s+(.+)", re.IGNORECASE | re.DOTALL)
_FORGET_NUMBER = re.compile(r"\bforget\s+memory\s+(\d+)\b", re.IGNORECASE)
_FORGET_TEXT = re.compile(r"\bforget(?:\s+that)?\s+(.+)", re.IGNORECASE | re.DOTALL)
_GIVEN = re.compile(r"^\[memory (\d+)\] (.*)$", re.MULTILINE)


def memory_call(request: ChatRequest, number: int) -> ToolCall | None:
    """The memory call the mock makes for a new question, or None."""
    offered = {tool.name for tool in request.tools}
    if REMEMBER not in offered or not request.messages or request.messages[-1].role != "user":
        return None
    asked = request.messages[-1].content.strip()
    if asks_what_is_remembered(asked):
        return None
    forget = _FORGET_NUMBER.search(asked)
    if forget is not None:
        return ToolCall(f"call_mock_{number}", FORGET, json.dumps({"memory": int(forget[1])}))
    named = _FORGET_TEXT.search(asked)
    if named is not None:
        wanted = named[1].strip().rstrip(".").lower()
        for memory_id, text in given(request):
            if wanted and wanted in text.lower():
                return ToolCall(f"call_mock_{number}", FORGET, json.dumps({"memory": memory_id}))
    kept = _REMEMBER.search(asked)
    if kept is None:
        return None
    text = " ".join(kept[1].split()).rstrip(".")
    text = text[:1].upper() + text[1:]
    return ToolCall(f"call_mock_{number}", REMEMBER, json.dumps({"text": f"{text}."}))


def answer_about_memory(request: ChatRequest) -> str | None:
    """The answer after a memory call, or to "what do you remember", or one that goes by the
    memories given; None when memory has no part in it."""
    messages = request.messages
    if messages and messages[-1].role == "tool" and len(messages) > 1:
        calls = {c.id: c.name for c in messages[-2].tool_calls}
        if set(calls.values()) <= {REMEMBER, FORGET, "update_memory"} and calls:
            return _after_call(messages[-1].content)
    memories = given(request)
    asked = next((m.content for m in reversed(messages) if m.role == "user"), "")
    if asks_what_is_remembered(asked):
        if not memories:
            return "I don't remember anything about you yet."
        listed = "\n".join(f"- {text}" for _, text in memories)
        return f"Here is what I remember about you:\n\n{listed}"
    return None  # the demo's own answer follows, led by any memories given (`led_by_memories`)


def led_by_memories(request: ChatRequest, answer: str) -> str:
    """`answer`, led by the memories it was given, as a model that uses them would."""
    memories = given(request)
    if not memories:
        return answer
    said = "; ".join(text for _, text in memories)
    return f"Keeping in mind what you told me — {said}\n\n{answer}"


def given(request: ChatRequest) -> list[tuple[int, str]]:
    """The memories the request was given (number, words), from its system message."""
    system = next((m.content for m in request.messages if m.role == "system"), "")
    if MEMORY_MARKER not in system:
        return []
    section = system[system.index(MEMORY_MARKER) :].split("\n\n", 1)[0]
    return [(int(number), text) for number, text in _GIVEN.findall(section)]


def _after_call(result: str) -> str:
    if result.startswith("Kept as memory"):
        return "Got it: I'll remember that. " + result.split(":", 1)[-1].strip()
    if " was deleted" in result:
        return "Done: I've forgotten it."
    if result.startswith("Memory ") and " now reads" in result:
        return "Done: I've changed that memory."
    return f"I did not keep that. {result}"
