"""The offline mock provider's tool calls, deterministic, so the offline app and the tests can
show the whole flow: when tools are offered and the newest user message says "use the NAME
tool" (optionally "with key=value …"), the mock calls that tool, with the arguments given and
the schema's other required ones filled with sample values; once the results are back, it
answers quoting them, and says what images they gave."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from chatdesk.core.providers.base import ChatRequest, ImagePart, ToolCall, ToolSpec

_ASKED = re.compile(r"\buse the ([A-Za-z0-9_.-]+) tool\b(?:\s+with\s+(.+))?", re.IGNORECASE)
_PAIR = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s,]+))""")
_SAMPLES: dict[str, Any] = {
    "string": "sample",
    "integer": 1,
    "number": 1.0,
    "boolean": True,
    "array": [],
    "object": {},
}
QUOTED = 600  # characters of each result the answer quotes


def tool_call_for(request: ChatRequest, number: int) -> ToolCall | None:
    """The call the mock makes for `request`, or None (it answers in text): only when tools
    are offered, the newest message is the user's, and it names one of them."""
    if not request.tools or not request.messages or request.messages[-1].role != "user":
        return None
    found = _ASKED.search(request.messages[-1].content)
    if found is None:
        return None
    tool = _tool_named(request.tools, found.group(1))
    if tool is None:
        return None
    arguments = _arguments(tool.parameters, found.group(2) or "")
    return ToolCall(f"call_mock_{number}", tool.name, json.dumps(arguments))


def answer_with_results(request: ChatRequest) -> str | None:
    """After a round of calls: a text answer quoting each result (and saying what images the
    results gave, which follow them as one user message), or None when the newest message is
    not a tool result."""
    messages = list(request.messages)
    shown: tuple[ImagePart, ...] = ()
    if len(messages) > 1 and messages[-1].images and messages[-2].role == "tool":
        shown = messages.pop().images
    if not messages or messages[-1].role != "tool":
        return None
    start = len(messages)
    while start > 0 and messages[start - 1].role == "tool":
        start -= 1
    asked = {c.id: c.name for c in messages[start - 1].tool_calls} if start else {}
    pieces = []
    for message in messages[start:]:
        name = asked.get(message.tool_call_id or "", "tool")
        quoted = message.content[:QUOTED] + ("…" if len(message.content) > QUOTED else "")
        pieces.append(f"The **{name}** tool returned:\n\n```\n{quoted}\n```")
    if shown:
        sizes = ", ".join(f"{image.width}×{image.height}" for image in shown)
        pieces.append(f"It also showed me {len(shown)} image{'s' * (len(shown) != 1)} ({sizes}).")
    return "\n\n".join(pieces) + "\n\nThat is what the tool said."


def _tool_named(tools: tuple[ToolSpec, ...], name: str) -> ToolSpec | None:
    for tool in tools:
        if tool.name == name:
            return tool
    for tool in tools:  # a server's tool by its own name: "files__read" for "read"
        if tool.name.endswith(f"__{name}"):
            return tool
    return None


def _arguments(schema: Mapping[str, Any], given: str) -> dict[str, Any]:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    arguments: dict[str, Any] = {}
    for pair in _PAIR.finditer(given):
        key = pair.group(1)
        value = next(v for v in pair.groups()[1:] if v is not None)
        spec = properties.get(key)
        arguments[key] = _typed(value, spec.get("type") if isinstance(spec, dict) else None)
    for key in schema.get("required") or ():
        if key not in arguments:
            spec = properties.get(key)
            kind = spec.get("type") if isinstance(spec, dict) else "string"
            arguments[key] = _SAMPLES.get(str(kind), "sample")
    return arguments


def _typed(value: str, kind: object) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return value.lower() in ("true", "yes", "1")
    return value
