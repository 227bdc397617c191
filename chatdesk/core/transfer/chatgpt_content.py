"""One ChatGPT message's content as chatdesk text and parts.

ChatGPT stores a message's content as `{"content_type": ..., ...}`. Text and multimodal text
become the message text; images and audio become attachment placeholders that name the file
(the bytes stay in the export); code sent to a tool and a tool's output become fenced blocks
with a tool-call or tool-result part saying which tool; quotes and web pages become quoted
text with their address. The model's thoughts and its "Thought for 8s" recap are reasoning,
which the converter moves onto the answer that follows them. Custom instructions and memory
updates are settings, not conversation, and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chatdesk.core.i18n import tr
from chatdesk.core.kinds import PartKind

REASONING_TYPES = frozenset({"thoughts", "reasoning_recap"})
SETTINGS_TYPES = frozenset({"user_editable_context", "model_editable_context"})
_ASSET_ID = re.compile(r"(file[-_][A-Za-z0-9]+)")
_BACKTICKS = re.compile(r"`{3,}")


@dataclass
class Placeholder:
    """A file the message referred to; the export may hold it, chatdesk keeps its name."""

    kind: str  # "image" | "audio" | "video" | "file"
    pointer: str
    size: int
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def asset(self) -> str:
        """The id the export's file name starts with ("file-service://file-Ab1" → "file-Ab1")."""
        path = self.pointer.partition("://")[2] or self.pointer
        found = _ASSET_ID.match(path)
        return found.group(1) if found else path.rpartition("/")[2] or "file"


@dataclass
class PartDraft:
    kind: PartKind
    data: dict[str, Any] | None = None
    placeholder: Placeholder | None = None


@dataclass
class Body:
    text: str
    parts: list[PartDraft] = field(default_factory=list)


@dataclass
class Thought:
    """Reasoning shown by ChatGPT: the thoughts' text, or only the recap ("Thought for 8s")."""

    text: str
    recap: str | None


def body_of(content: dict[str, Any], role: str, recipient: str | None, name: str | None) -> Body:
    kind = str(content.get("content_type") or "text")
    reader = _READERS.get(kind, _unknown)
    body = reader(content)
    if role == "assistant" and recipient not in (None, "all"):
        language = _language(content)
        if kind != "code":
            body.text = fenced(body.text, language or recipient or "")
        data: dict[str, Any] = {"recipient": recipient}
        if language:
            data["language"] = language
        body.parts.append(PartDraft(PartKind.TOOL_CALL, data))
    elif role == "tool":
        data = {"tool": name, "content_type": kind}
        body.parts.append(PartDraft(PartKind.TOOL_RESULT, {k: v for k, v in data.items() if v}))
    return body


def thought_of(content: dict[str, Any]) -> Thought:
    if content.get("content_type") == "reasoning_recap":
        recap = _string(content.get("content")) or _string(content.get("text"))
        return Thought("", recap or None)
    pieces = []
    for thought in _list(content.get("thoughts")):
        if not isinstance(thought, dict):
            continue
        summary, text = _string(thought.get("summary")), _string(thought.get("content"))
        pieces.append("\n\n".join(p for p in (f"**{summary}**" if summary else "", text) if p))
    return Thought("\n\n".join(p for p in pieces if p), None)


def fenced(text: str, info: str = "") -> str:
    """`text` as a fenced code block that nothing inside it can close."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


# -- readers, by content type ----------------------------------------------------------------


def _text(content: dict[str, Any]) -> Body:
    return Body(_joined(s for s in _list(content.get("parts")) if isinstance(s, str)))


def _multimodal(content: dict[str, Any]) -> Body:
    texts: list[str] = []
    parts: list[PartDraft] = []
    for item in _list(content.get("parts")):
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict):
            placeholder = _placeholder(item)
            if placeholder is not None:
                parts.append(PartDraft(PartKind.ATTACHMENT, placeholder=placeholder))
            elif isinstance(item.get("text"), str):  # audio transcriptions and the like
                texts.append(item["text"])
    return Body(_joined(texts), parts)


def _placeholder(item: dict[str, Any]) -> Placeholder | None:
    kind = str(item.get("content_type") or "")
    if kind == "real_time_user_audio_video_asset_pointer":
        inner = item.get("audio_asset_pointer")
        return _placeholder(inner) if isinstance(inner, dict) else None
    pointer = item.get("asset_pointer")
    if not kind.endswith("asset_pointer") or not isinstance(pointer, str):
        return None
    media = next((m for m in ("image", "audio", "video") if kind.startswith(m)), "file")
    size = item.get("size_bytes")
    details = {k: item[k] for k in ("width", "height") if isinstance(item.get(k), int)}
    dalle = (
        (item.get("metadata") or {}).get("dalle")
        if isinstance(item.get("metadata"), dict)
        else None
    )
    if isinstance(dalle, dict) and isinstance(dalle.get("prompt"), str):
        details["prompt"] = dalle["prompt"]
    return Placeholder(media, pointer, size if isinstance(size, int) else 0, details)


def _code(content: dict[str, Any]) -> Body:
    return Body(fenced(_string(content.get("text")), _language(content) or ""))


def _output(content: dict[str, Any]) -> Body:
    return Body(fenced(_string(content.get("text"))))


def _quote(content: dict[str, Any]) -> Body:
    text = _string(content.get("text")).strip()
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    return Body(_joined([quoted, _source(content)]))


def _browsing(content: dict[str, Any]) -> Body:
    return Body(_joined([_string(content.get("result")), _string(content.get("summary"))]))


def _webpage(content: dict[str, Any]) -> Body:
    text = _string(content.get("text")) or _string(content.get("snippet"))
    return Body(_joined([_source(content), text]))


def _error(content: dict[str, Any]) -> Body:
    name = _string(content.get("name"))
    text = _string(content.get("text"))
    return Body(f"{name}: {text}" if name and text else name or text)


def _unknown(content: dict[str, Any]) -> Body:
    found = _text(content).text or _string(content.get("text"))
    kind = _string(content.get("content_type")) or "unknown"
    return Body(found or tr("[ChatGPT content of type {kind}, not imported]", kind=repr(kind)))


_READERS: dict[str, Callable[[dict[str, Any]], Body]] = {
    "text": _text,
    "multimodal_text": _multimodal,
    "code": _code,
    "execution_output": _output,
    "tether_quote": _quote,
    "tether_browsing_display": _browsing,
    "sonic_webpage": _webpage,
    "system_error": _error,
}


# -- helpers ---------------------------------------------------------------------------------


def _language(content: dict[str, Any]) -> str | None:
    language = content.get("language")
    if isinstance(language, str) and language and language != "unknown":
        return language
    return None


def _source(content: dict[str, Any]) -> str:
    url, title = _string(content.get("url")), _string(content.get("title"))
    if url.startswith(("http://", "https://")):
        label = title.replace("[", "(").replace("]", ")") or url
        return f"— [{label}](<{url}>)"
    return f"— {title}" if title else ""


def _joined(texts: Any) -> str:
    return "\n\n".join(t for t in texts if isinstance(t, str) and t.strip())


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""
