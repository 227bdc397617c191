"""The mock's answer to a question sent with passages of knowledge bases: the sentences of
the passages that share the most words with the question, each cited by its passage's number,
so the whole flow (retrieval, citations, sources) can be tried and tested offline."""

from __future__ import annotations

import re

from chatdesk.core.prompts import PASSAGES_MARKER
from chatdesk.core.providers.base import ChatRequest
from chatdesk.core.words import telling

_PASSAGE = re.compile(r"^\[(\d+)\] [^\n]*\n(.*?)(?=\n\n\[\d+\] |\Z)", re.S | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
NOTHING = "The passages from your documents do not say anything about that."


def answer_from_passages(request: ChatRequest) -> str | None:
    """The answer, or None when the request carries no passages."""
    system = next((m.content for m in request.messages if m.role == "system"), "")
    at = system.find(PASSAGES_MARKER)
    if at < 0:
        return None
    question = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
    wanted = set(telling(question))
    found: list[tuple[int, int, str]] = []
    for match in _PASSAGE.finditer(system[at:]):
        number, text = int(match.group(1)), match.group(2)
        best = max(
            ((len(wanted & set(telling(s))), s.strip()) for s in _SENTENCE_END.split(text)),
            default=(0, ""),
            key=lambda scored: scored[0],
        )
        if best[0]:
            found.append((-best[0], number, best[1]))
    if not found:
        return NOTHING
    chosen = sorted(found)[:2]
    lines = [f"- {sentence} [{number}]" for _, number, sentence in chosen]
    return "From your documents:\n\n" + "\n".join(lines)
