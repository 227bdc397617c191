"""The OpenAI-compatible endpoints, so OpenAI's SDKs and the tools built on them work unchanged:
`GET /v1/models`, `POST /v1/chat/completions` (whole or streamed) and `POST /v1/embeddings`.

A completion is kept nowhere (`service.completions`) unless the client asks for a chat (`store:
true`, or the header `X-Chatdesk-Thread: new|<id>`) or names an assistant (`assistant/<name>`),
whose tools and knowledge run inside a chat's turn: those go through the answer path the window's
own messages take (`chatdesk/api/openai_kept.py`)."""

from __future__ import annotations

import base64
import contextlib
import struct
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from chatdesk.api import openai_kept
from chatdesk.api.auth import require_key
from chatdesk.api.batching import batched
from chatdesk.api.errors import error_body, error_response, status_of
from chatdesk.api.keep_alive import COMMENT, keep_alive_seconds
from chatdesk.api.openai_convert import (
    DONE,
    Chunks,
    EventStream,
    dumped,
    messages_of,
    sse,
    tool_call_out,
    tools_of,
    usage_of,
)
from chatdesk.api.openai_models import (
    ModelNotFound,
    Target,
    embedding_target,
    model_list,
    target_of,
)
from chatdesk.api.openai_schemas import (
    AnswerMessage,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    Embedding,
    EmbeddingList,
    EmbeddingRequest,
    EmbeddingUsage,
    ModelList,
)
from chatdesk.api.surface import ApiCore, core_of
from chatdesk.core.chat.completions import CompletionRequest
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.providers.base import (
    ErrorKind,
    Finished,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    UsageReport,
)
from chatdesk.core.providers.embeddings import EmbeddingFailed, embed

router = APIRouter(dependencies=[Depends(require_key)], tags=["openai"])
Thread = Annotated[str | None, Header(alias="X-Chatdesk-Thread")]


@router.get("/v1/models")
async def models(request: Request) -> ModelList:
    """Each configured provider's models as `provider/model`, each assistant as
    `assistant/<name>`."""
    return await model_list(core_of(request))


@router.post("/v1/chat/completions", response_model=ChatCompletion)
async def chat_completions(
    body: ChatCompletionRequest, request: Request, x_chatdesk_thread: Thread = None
) -> Response:
    """A chat completion, whole or streamed as server-sent events ending `data: [DONE]`."""
    return await completion(
        core_of(request), body, x_chatdesk_thread, keep_alive_seconds(request.app)
    )


async def completion(
    core: ApiCore, body: ChatCompletionRequest, thread: str | None, every: float
) -> Response:
    """The answer to a valid request, as the route gives it (the route's own, and the fast
    path's, `chatdesk/api/fast_path.py`); `thread`: the `X-Chatdesk-Thread` header."""
    try:
        target = await target_of(core, body.model)
    except ModelNotFound as unknown:
        return error_response(404, str(unknown), "model_not_found")
    if body.store or thread is not None or target.assistant is not None:
        return await openai_kept.answer(core.service, body, target, thread)
    events = core.service.completions.complete(_completion(body, target))
    if body.stream:
        return await _streamed(events, body, every)
    return await _whole(events, body)


@router.post("/v1/embeddings")
async def embeddings(body: EmbeddingRequest, request: Request) -> Response:
    """Vectors from a configured embedding model (`mock/mock-embed` offline)."""
    core = core_of(request)
    try:
        provider, model = embedding_target(core, body.model)
    except ModelNotFound as unknown:
        return error_response(404, str(unknown), "model_not_found")
    texts = [body.input] if isinstance(body.input, str) else body.input
    try:
        vectors = await embed(provider, model, texts)
    except EmbeddingFailed as failed:  # the provider's own failure, answered as its kind
        status, code = status_of(ProviderError(failed.kind or ErrorKind.PROTOCOL, ""))
        return error_response(status, str(failed.__cause__ or failed), code)
    tokens = sum(len(text) // 4 + 1 for text in texts)  # counted roughly, as OpenAI reports
    return JSONResponse(
        EmbeddingList(
            data=[
                Embedding(index=i, embedding=_encoded(v, body.encoding_format))
                for i, v in enumerate(vectors)
            ],
            model=body.model,
            usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
        ).model_dump()
    )


def _completion(body: ChatCompletionRequest, target: Target) -> CompletionRequest:
    return CompletionRequest(
        target.provider,
        target.model,
        messages_of(body),
        temperature=body.temperature,
        max_output_tokens=body.max_completion_tokens or body.max_tokens,
        tools=tools_of(body),
    )


async def _whole(events: AsyncGenerator[StreamEvent], body: ChatCompletionRequest) -> Response:
    text, reasoning, calls = [], [], []
    usage: UsageReport | None = None
    finish = "stop"
    async with contextlib.aclosing(events):
        async for event in events:
            if isinstance(event, TextDelta):
                text.append(event.text)
            elif isinstance(event, ReasoningDelta):
                reasoning.append(event.text)
            elif isinstance(event, ToolCall):
                calls.append(tool_call_out(event))
            elif isinstance(event, UsageReport):
                usage = event
            elif isinstance(event, Finished):
                finish = event.reason
    message = AnswerMessage(
        content="".join(text) if text or not calls else None,
        reasoning_content="".join(reasoning) or None,
        tool_calls=calls or None,
    )
    chunks = Chunks(body.model)
    done = ChatCompletion(
        id=chunks.id,
        created=chunks.created,
        model=body.model,
        choices=[Choice(message=message, finish_reason="tool_calls" if calls else finish)],
        usage=usage_of(usage),
    )
    return JSONResponse(dumped(done))


async def _streamed(
    events: AsyncGenerator[StreamEvent], body: ChatCompletionRequest, every: float
) -> Response:
    """The stream, once its first event has come: a refusal before it (a cap, an unknown
    provider, the provider's own error) is still answered with its HTTP status."""
    try:
        first = await anext(events)
    except StopAsyncIteration:
        first = None
    except BaseException:
        await events.aclose()
        raise
    return EventStream(_chunks(first, events, body, every), events.aclose, alive=True)


async def _chunks(
    first: StreamEvent | None,
    events: AsyncGenerator[StreamEvent],
    body: ChatCompletionRequest,
    every: float,
) -> AsyncIterator[bytes]:
    """The stream's lines, a batch of them in one write, and a keep-alive comment through a
    silence of `every` seconds (the batches' own wait times out: no task and queue more
    between the provider and the socket, which would cost each write a turn of the loop, the
    first words too)."""
    chunks = Chunks(body.model)
    usage: UsageReport | None = None
    finish = "stop"
    opening = chunks.opening_line()
    try:
        # A batch at a time, written at once: a fast model (a local one, the mock) would
        # otherwise cost the loop, which runs the window too, a write per token and per client.
        # The opening chunk goes with the first batch the client is shown anything of (the
        # first words), in one write; a batch of nothing shown (the model's acceptance, its
        # usage) is not written at all.
        taken = () if first is None else (first,)
        async for batch in batched(events, taken=taken, shown=_shown, idle=every):
            if not batch:
                yield COMMENT
                continue
            for event in batch:
                if isinstance(event, UsageReport):
                    usage = event
                elif isinstance(event, Finished):
                    finish = event.reason
            lines = _lines(chunks, batch)
            if lines:
                yield opening + b"".join(lines)
                opening = b""
        # The end (the finish, the usage, [DONE]) in one write.
        end = opening + chunks.finish_line("tool_calls" if chunks.calls else finish)
        if body.stream_options is not None and body.stream_options.include_usage:
            end += sse(chunks.usage(usage_of(usage)))
    except ChatdeskError as error:  # after the first token: said in the stream, as OpenAI does
        status, code = status_of(error)
        end = opening + sse(error_body(str(error), "api_error", code) | {"status": status})
    finally:
        await events.aclose()  # the client left: the provider's request is closed at once
    yield end + DONE


def _shown(batch: list[StreamEvent]) -> bool:
    """Whether the client reads anything of `batch`: words, reasoning or a tool call."""
    return any(isinstance(event, _SHOWN) for event in batch)


_SHOWN = (TextDelta, ReasoningDelta, ToolCall)  # what `Chunks.of` writes a chunk for


def _lines(chunks: Chunks, batch: list[StreamEvent]) -> list[bytes]:
    """A batch's chunks: each run of text (or of reasoning) joined into one, a tool call its
    own, in the order they came."""
    lines: list[bytes] = []
    run: list[str] = []
    reasoning = False
    for event in batch:
        if isinstance(event, TextDelta | ReasoningDelta):
            if run and isinstance(event, ReasoningDelta) != reasoning:
                lines.append(chunks.text_line("".join(run), reasoning=reasoning))
                run = []
            reasoning = isinstance(event, ReasoningDelta)
            run.append(event.text)
        elif (chunk := chunks.of(event)) is not None:
            if run:
                lines.append(chunks.text_line("".join(run), reasoning=reasoning))
                run = []
            lines.append(sse(chunk))
    if run:
        lines.append(chunks.text_line("".join(run), reasoning=reasoning))
    return lines


def _encoded(vector: list[float], encoding: str | None) -> list[float] | str:
    if encoding != "base64":
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
