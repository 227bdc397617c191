"""OpenAI's bodies to the core's values and back: a client's messages as `ChatMessage`s (images
from data URLs as `ImagePart`s, announced in the text as chatdesk announces an attached image),
its tools as `ToolSpec`s, and the model's events as the chunks of a stream."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from chatdesk.api.keep_alive import KeptAliveStream
from chatdesk.api.openai_schemas import (
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatdeskExtra,
    ChunkChoice,
    ContentPart,
    Delta,
    FunctionCallOut,
    MessageIn,
    SourceOut,
    ToolCallOut,
    Usage,
)
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.providers.base import (
    ChatMessage,
    ImagePart,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolSpec,
    UsageReport,
)
from chatdesk.core.views import CitedSource

_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def messages_of(request: ChatCompletionRequest) -> tuple[ChatMessage, ...]:
    """The client's conversation as the core's messages ("developer" is a system message)."""
    return tuple(_message(m) for m in request.messages)


def tools_of(request: ChatCompletionRequest) -> tuple[ToolSpec, ...]:
    if not request.tools or request.tool_choice == "none":
        return ()
    return tuple(
        ToolSpec(t.function.name, t.function.description, t.function.parameters)
        for t in request.tools
    )


def last_user_message(request: ChatCompletionRequest) -> tuple[str, tuple[ImagePart, ...]]:
    """The text and the images of the client's newest user message: what a kept chat is
    sent (its images as the chat's attachments, which chatdesk announces in the text itself)."""
    for message in reversed(request.messages):
        if message.role == "user":
            texts, images = _parts(message.content)
            return "\n".join(texts), images
    raise InvalidRequest("A kept chat needs a user message to send; there is none.")


def _message(message: MessageIn) -> ChatMessage:
    role = "system" if message.role == "developer" else message.role
    text, images = _content(message.content)
    calls = tuple(
        ToolCall(c.id, c.function.name, c.function.arguments) for c in message.tool_calls or ()
    )
    return ChatMessage(role, text, calls, message.tool_call_id, images)


def _content(content: str | list[ContentPart] | None) -> tuple[str, tuple[ImagePart, ...]]:
    """The text with each image announced after it, as chatdesk announces an attached one."""
    texts, images = _parts(content)
    said = [
        f'<attachment name="{image_name(n, i)}" type="{i.mime}"/>' for n, i in enumerate(images)
    ]
    return "\n".join([*texts, *said]), images


def image_name(index: int, image: ImagePart) -> str:
    return f"image-{index + 1}.{image.mime.rpartition('/')[2]}"


def _parts(content: str | list[ContentPart] | None) -> tuple[list[str], tuple[ImagePart, ...]]:
    if content is None or isinstance(content, str):
        return [content or ""], ()
    texts: list[str] = []
    images: list[ImagePart] = []
    for part in content:
        if part.type == "text":
            texts.append(part.text or "")
        elif part.type == "image_url" and part.image_url is not None:
            images.append(_image(part.image_url.url))
        else:
            raise InvalidRequest(f"A message part of type {part.type!r} is not taken here.")
    return texts, tuple(images)


def _image(url: str) -> ImagePart:
    """An image sent inline; chatdesk fetches nothing a client names by address."""
    head, comma, data = url.partition(",")
    mime = head.removeprefix("data:").removesuffix(";base64")
    if not (url.startswith("data:") and comma and head.endswith(";base64")):
        raise InvalidRequest("Images are taken as data URLs (data:image/png;base64,…) only.")
    if mime not in _IMAGE_TYPES:
        raise InvalidRequest(f"Images of type {mime!r} are not taken: PNG, JPEG, GIF or WebP.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("An image's data URL is not valid base64.") from None
    return ImagePart(mime, hashlib.sha256(raw).hexdigest(), 0, 0, raw)


def sources_of(sources: Iterable[CitedSource]) -> list[SourceOut]:
    return [
        SourceOut(number=s.number, base=s.base, path=s.path, location=s.location, text=s.text)
        for s in sources
    ]


def usage_of(report: UsageReport | None) -> Usage | None:
    if report is None:
        return None
    return Usage.of(report.prompt_tokens, report.completion_tokens)


def tool_call_out(call: ToolCall, index: int | None = None) -> ToolCallOut:
    function = FunctionCallOut(name=call.name, arguments=call.arguments)
    return ToolCallOut(index=index, id=call.id, type="function", function=function)


@dataclass
class Chunks:
    """The chunks of one streamed answer, all with the same id, model and time."""

    model: str
    id: str = field(default_factory=lambda: f"chatcmpl-{secrets.token_hex(16)}")
    created: int = field(default_factory=lambda: int(time.time()))
    calls: int = 0
    _prefix: bytes | None = field(default=None, repr=False)

    def chunk(
        self, delta: Delta, finish: str | None = None, extra: ChatdeskExtra | None = None
    ) -> ChatCompletionChunk:
        """One chunk, made without validation (a stream sends one per token: its parts are
        chatdesk's own values, of the models' types)."""
        choice = ChunkChoice.model_construct(index=0, delta=delta, finish_reason=finish)
        fields: dict[str, Any] = self._head() | {"choices": [choice]}
        if extra is not None:
            fields["chatdesk"] = extra
        return ChatCompletionChunk.model_construct(**fields)

    def _head(self) -> dict[str, Any]:
        """The fields every chunk has, in the order the model writes them."""
        return {
            "id": self.id,
            "created": self.created,
            "model": self.model,
            "object": "chat.completion.chunk",
        }

    def of(self, event: StreamEvent) -> ChatCompletionChunk | None:
        """The chunk an event of the provider's stream is sent as (None: it sends none)."""
        if isinstance(event, TextDelta):
            return self.chunk(Delta.model_construct(content=event.text))
        if isinstance(event, ReasoningDelta):
            return self.chunk(Delta.model_construct(reasoning_content=event.text))
        if isinstance(event, ToolCall):
            self.calls += 1
            return self.chunk(Delta(tool_calls=[tool_call_out(event, self.calls - 1)]))
        return None

    def text_line(self, text: str, *, reasoning: bool = False) -> bytes:
        """`sse(self.of(TextDelta(text)))` (or a `ReasoningDelta`'s), written directly: a stream
        sends one for every batch of tokens, and the models' own dump costs more than the rest
        of a chunk's way together (tests/api/test_openai_chunks.py holds the two the same)."""
        field = "reasoning_content" if reasoning else "content"
        delta = json.dumps({field: text}, ensure_ascii=False, separators=(",", ":"))
        return self._line(delta.encode(), b"null")

    def opening_line(self) -> bytes:
        """`sse(self.chunk(Delta(role="assistant", content="")))`, written directly."""
        return self._line(b'{"role":"assistant","content":""}', b"null")

    def finish_line(self, reason: str) -> bytes:
        """`sse(self.chunk(Delta(), reason))`, written directly."""
        return self._line(b"{}", json.dumps(reason).encode())

    def _line(self, delta: bytes, finish: bytes) -> bytes:
        if self._prefix is None:  # the chunk's head as the model writes it, choices last
            head = json.dumps(self._head(), ensure_ascii=False, separators=(",", ":"))
            head = head.removesuffix("}")
            self._prefix = f'data: {head},"choices":[{{"index":0,"delta":'.encode()
        return b'%s%s,"finish_reason":%s}]}\n\n' % (self._prefix, delta, finish)

    def usage(self, usage: Usage | None) -> ChatCompletionChunk:
        return ChatCompletionChunk.model_construct(
            **self._head(), choices=[], usage=usage or Usage.of(0, 0)
        )


def sse(body: ChatCompletionChunk | dict[str, Any]) -> bytes:
    """One `data:` line of a stream. A chunk holds the fields it was made with (`Chunks`), a
    choice's `finish_reason` always (null until the last), as OpenAI writes them."""
    if isinstance(body, dict):
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()
    return b"data: " + body.model_dump_json(exclude_unset=True).encode() + b"\n\n"


def dumped(body: BaseModel) -> dict[str, Any]:
    """`body` as OpenAI writes it: what is not there is left out (no `reasoning_content`, no
    `usage` but in the last chunk), except a choice's `finish_reason` and an answer's
    `content`, which are null until they are known."""
    shown = body.model_dump(mode="json", exclude_none=True)
    for choice in shown.get("choices", ()):
        choice.setdefault("finish_reason", None)
        if "message" in choice:
            choice["message"].setdefault("content", None)
    return shown


DONE = b"data: [DONE]\n\n"


class EventStream(KeptAliveStream):
    """Server-sent events, and `cleanup` once the response has ended however it ended: sent
    whole, its client gone mid-way, or never started (the client left before the first byte,
    when the stream's own `finally` never runs)."""

    def __init__(
        self,
        content: AsyncIterator[bytes],
        cleanup: Callable[[], Awaitable[None]],
        headers: dict[str, str] | None = None,
        *,
        alive: bool = False,
    ) -> None:
        super().__init__(content, (headers or {}) | {"Cache-Control": "no-cache"}, alive=alive)
        self._cleanup = cleanup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._cleanup()
