"""Completions answered in a chat: kept ones (`store: true`, `X-Chatdesk-Thread: new|<id>`) and
an assistant's (`assistant/<name>`), whose tools and knowledge run inside a chat's turn.

The client's newest user message is sent as a turn (`send_new` with origin "api", or `send` to
the chat the header names); the chat holds the history from there, so the earlier messages of
the client's list are not copied into it (the chat's own are what a continued chat's model
reads). The answer goes the way the window's own answers go, so an open window shows it live,
and is streamed to the client from the core's events (`Follower`). A client that leaves stops it
through the path Stop takes. An assistant's answer the client did not ask to keep is removed for
good once it has ended (`completions.forget`: its cost stays counted), so nothing of it remains;
meanwhile its chat (origin "api-once") is listed, searched and named nowhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from fastapi.responses import JSONResponse, Response

from chatdesk.api.errors import error_body, error_response, status_of
from chatdesk.api.following import Follower
from chatdesk.api.openai_convert import (
    DONE,
    Chunks,
    EventStream,
    dumped,
    image_name,
    last_user_message,
    sources_of,
    sse,
)
from chatdesk.api.openai_models import Target
from chatdesk.api.openai_schemas import (
    AnswerMessage,
    ChatCompletion,
    ChatCompletionRequest,
    ChatdeskExtra,
    Choice,
    Delta,
    Usage,
)
from chatdesk.core.chat.events import AnswerTextAppended, MessageFinished
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.kinds import Origin, Status
from chatdesk.core.providers.base import ErrorKind, ProviderError
from chatdesk.core.service import ChatService
from chatdesk.core.views import MessageView, Turn

HEADER = "X-Chatdesk-Thread"


async def answer(
    service: ChatService, body: ChatCompletionRequest, target: Target, thread: str | None
) -> Response:
    keep = bool(body.store) or thread is not None
    follower = Follower(service.events).__enter__()
    try:
        turn = await _send(service, body, target, thread, keep)
    except BaseException:
        follower.__exit__(None, None, None)
        raise
    run = _Run(service, turn, keep)
    headers = {HEADER: str(turn.answer.thread_id)} if keep else {}
    if body.stream:
        return EventStream(_streamed(run, follower, body), _closing(run, follower), headers)
    follower.__exit__(None, None, None)  # the whole answer is read as stored
    return await _whole(run, body, headers)


async def _send(
    service: ChatService,
    body: ChatCompletionRequest,
    target: Target,
    thread: str | None,
    keep: bool,
) -> Turn:
    text, images = last_user_message(body)
    attached = [
        await service.attacher.attach_bytes(image_name(n, i), i.data, images_only=True)
        for n, i in enumerate(images)
    ]
    provider = target.provider or None
    model = target.model if target.assistant is None else None
    if thread is None or thread.strip().lower() == "new":
        return await service.send_new(
            text,
            attachments=attached,
            provider=provider,
            model=model,
            assistant_id=target.assistant,
            origin=Origin.API if keep else Origin.API_ONCE,
        )
    try:
        thread_id = uuid.UUID(thread.strip())
    except ValueError:
        raise InvalidRequest(f"{HEADER} is 'new' or a chat's id, not {thread!r}.") from None
    return await service.send(thread_id, text, attachments=attached, provider=provider, model=model)


class _Run:
    """One answer in a chat, and what is done once it has ended or its client has left."""

    def __init__(self, service: ChatService, turn: Turn, keep: bool) -> None:
        self.service = service
        self.answer_id = turn.answer.id
        self.thread_id = turn.answer.thread_id
        self.keep = keep
        self.ended = False
        self.closed = False

    def extra(self, answer: MessageView) -> ChatdeskExtra:
        kept = self.thread_id if self.keep else None
        return ChatdeskExtra(
            thread_id=kept,
            message_id=answer.id if self.keep else None,
            sources=sources_of(answer.sources),
        )

    async def close(self) -> None:
        """Stop the answer if it is still being written (its client left), and remove the chat
        when it is not to be kept; done whatever cancels the caller meanwhile."""
        await _whatever_happens(self._close())

    async def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if not self.ended:
            await self.service.stop(self.answer_id)
        if not self.keep:
            await self.service.completions.forget(self.thread_id)


async def _whole(run: _Run, body: ChatCompletionRequest, headers: dict[str, str]) -> Response:
    try:
        await run.service.wait_for_answer(run.answer_id)
        run.ended = True
        answer = await run.service.get_message(run.answer_id)
    finally:
        await run.close()
    failure = _failure(answer)
    if failure is not None:
        status, code = status_of(failure)
        return error_response(status, str(failure), code, headers or None)
    chunks = Chunks(body.model)
    done = ChatCompletion(
        id=chunks.id,
        created=chunks.created,
        model=body.model,
        choices=[
            Choice(
                message=AnswerMessage(content=answer.content, reasoning_content=answer.reasoning),
                finish_reason="stop" if answer.status is Status.COMPLETE else "length",
            )
        ],
        usage=_usage(answer),
        chatdesk=run.extra(answer),
    )
    return JSONResponse(dumped(done), headers=headers)


async def _streamed(
    run: _Run, follower: Follower, body: ChatCompletionRequest
) -> AsyncIterator[bytes]:
    chunks = Chunks(body.model)
    try:
        yield sse(chunks.chunk(Delta(role="assistant", content="")))
        async for event in follower.answer(run.answer_id):
            if isinstance(event, AnswerTextAppended):
                yield sse(chunks.chunk(_delta(event)))
            elif isinstance(event, MessageFinished):
                run.ended = True
                async for line in _ending(run, chunks, body, event.message):
                    yield line
    finally:
        await _closing(run, follower)()
    yield DONE


def _closing(run: _Run, follower: Follower) -> Callable[[], Awaitable[None]]:
    async def close() -> None:  # twice is harmless: the second finds it done
        follower.__exit__(None, None, None)
        await run.close()

    return close


async def _ending(
    run: _Run, chunks: Chunks, body: ChatCompletionRequest, finished: MessageView
) -> AsyncIterator[bytes]:
    answer = await run.service.get_message(finished.id)  # with its sources
    failure = _failure(answer)
    if failure is not None:
        status, code = status_of(failure)
        yield sse(error_body(str(failure), "api_error", code) | {"status": status})
        return
    finish = "stop" if answer.status is Status.COMPLETE else "length"
    yield sse(chunks.chunk(Delta(), finish, run.extra(answer)))
    if body.stream_options is not None and body.stream_options.include_usage:
        yield sse(chunks.usage(_usage(answer)))


def _delta(event: AnswerTextAppended) -> Delta:
    """The text and the reasoning that arrived, each only when some did."""
    if event.text and event.reasoning:
        return Delta(content=event.text, reasoning_content=event.reasoning)
    if event.reasoning:
        return Delta(reasoning_content=event.reasoning)
    return Delta(content=event.text)


def _failure(answer: MessageView) -> ChatdeskError | None:
    if answer.status is not Status.ERROR:
        return None
    detail = answer.error_detail or "The answer failed."
    if answer.error_type in {kind.value for kind in ErrorKind}:
        return ProviderError(ErrorKind(answer.error_type), detail)
    return InvalidRequest(detail)


def _usage(answer: MessageView) -> Usage:
    return Usage.of(answer.usage.prompt_tokens, answer.usage.completion_tokens)


async def _whatever_happens(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to its end even when the caller is cancelled meanwhile (its client left)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)
    task.result()
