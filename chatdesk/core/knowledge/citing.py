"""Passages sent with a question, and how the model is told to cite them.

The passages go in one system message after the chat's own system prompt, numbered; the model
is asked to cite them as [1], [2]. The same numbers are stored with the answer as its source
parts (`PartKind.SOURCE`), which the window turns the citations into links to, and which
export, import and team sync carry like any other part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chatdesk.core.knowledge.model import Passage
from chatdesk.core.prompts import PASSAGES_INSTRUCTIONS


def context_text(passages: Sequence[Passage]) -> str:
    """The system message's text holding `passages`, numbered from 1."""
    blocks = [PASSAGES_INSTRUCTIONS]
    for number, passage in enumerate(passages, start=1):
        blocks.append(f"[{number}] {passage.cited_as}\n{passage.text.strip()}")
    return "\n\n".join(blocks)


def fitted(passages: Sequence[Passage], room: int, count: Callable[[str], int]) -> list[Passage]:
    """As many of `passages`, best first, as fit in `room` tokens with the instructions
    (`count` counts a text as sent). A passage that does not fit is skipped for a smaller one
    after it."""
    chosen: list[Passage] = []
    used = count(PASSAGES_INSTRUCTIONS)
    for passage in passages:
        tokens = count(f"[{len(chosen) + 1}] {passage.cited_as}\n{passage.text.strip()}") + 2
        if used + tokens <= room:
            chosen.append(passage)
            used += tokens
    return chosen


def part_data(number: int, passage: Passage, call_id: str = "") -> dict[str, Any]:
    """What a source part stores beside the passage's text (`Passage.source_data`)."""
    return passage.source_data(number, call_id)
