"""Memories sent with a question: one marked section of the system message, a line each,
"[memory 12] …". A memory's text is put on one line, so none can pass for another memory or
for the words around the list."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from chatdesk.core.memory.model import Given
from chatdesk.core.prompts import MEMORY_INSTRUCTIONS

_SPACES = re.compile(r"\s+")
LOOKED_AT = 400  # memories weighed for one question at most: a budget holds far fewer


def line(memory: Given) -> str:
    return f"[memory {memory.id}] {_SPACES.sub(' ', memory.text).strip()}"


def section(memories: Sequence[Given]) -> str:
    """The system message's section holding `memories`."""
    return "\n".join([MEMORY_INSTRUCTIONS, *(line(memory) for memory in memories)])


def fitted(
    memories: Sequence[Given], room: int, count: Callable[[Sequence[str]], list[int]]
) -> list[Given]:
    """As many of `memories`, in order, as fit in `room` tokens with the instructions (`count`
    counts texts as sent, all at once); one that does not fit is skipped for a smaller one
    after it."""
    weighed = memories[:LOOKED_AT]
    instructions, *lines = count([MEMORY_INSTRUCTIONS, *(line(memory) for memory in weighed)])
    chosen: list[Given] = []
    used = instructions
    for memory, tokens in zip(weighed, lines, strict=True):
        if used + tokens + 1 <= room:
            chosen.append(memory)
            used += tokens + 1
    return chosen
