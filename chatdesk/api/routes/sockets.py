"""A thread's WebSocket, `/api/v1/threads/{id}/ws`: follow the thread live and act in it.

The key comes in the upgrade's headers, as for any request, or, from a browser, which cannot
set them, as the first frame `{"type": "AUTH", "key": …}` within `Hub.auth_timeout` seconds;
never in the URL. No key, or too late: close 4401; a wrong one: 4403; an unknown thread: 4404.
Every frame a client sends takes from its key's rate limit, as a request does, but `PING` and
`TYPING_INDICATOR`: a client's liveness and presence cost the user nothing, and an editor that
says its user is typing, or pings every few seconds, would otherwise use up the limit. A frame that
cannot be read is answered with `ERROR` and the connection stays open. The frames are in
`chatdesk/api/frames.py`; what the thread's clients are sent, in `chatdesk/api/hub.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, WebSocket, WebSocketException
from fastapi.responses import Response
from pydantic import ValidationError

from chatdesk.api.auth import Refused, gate_of, peer_of, presented_key, require_key
from chatdesk.api.errors import error_response, problems_of, status_of
from chatdesk.api.frames import (
    CLIENT_FRAME,
    Ack,
    Auth,
    ClientFrame,
    DeleteMessage,
    EditMessage,
    Error,
    Ping,
    Pong,
    Ready,
    Regenerate,
    SendMessage,
    ServerFrame,
    Stop,
    TypingIndicator,
)
from chatdesk.api.hub import Client, Hub, hub_of
from chatdesk.api.socket_schema import PATH
from chatdesk.api.surface import core_of
from chatdesk.core.errors import ChatdeskError, NotFound

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService

log = logging.getLogger("chatdesk.api")

NO_KEY, WRONG_KEY, TOO_MANY, NO_THREAD = 4401, 4403, 4429, 4404  # close codes
_BUG = "chatdesk failed on this frame; its log says why."


async def socket_key(websocket: WebSocket) -> None:
    """The key the socket presents, admitted by the gate: in its headers, or its first frame
    (kept as `websocket.state.key`, which each frame's rate limit is counted against)."""
    presented = presented_key(websocket.headers)
    await websocket.accept()
    if presented is None:
        presented = await _first_frame_key(websocket, hub_of(websocket.app).auth_timeout)
    try:
        websocket.state.key = gate_of(websocket).admit(presented, peer_of(websocket))
    except Refused as refusal:
        code = {401: NO_KEY, 403: WRONG_KEY}.get(refusal.status, TOO_MANY)
        raise WebSocketException(code, str(refusal)) from None


router = APIRouter(tags=["threads"], dependencies=[Depends(socket_key)])
plain = APIRouter(dependencies=[Depends(require_key)])  # the socket's path asked without upgrade


@plain.get(PATH, include_in_schema=False)  # described with the socket (socket_schema.py)
async def not_upgraded(thread_id: uuid.UUID) -> Response:
    """426, which says how to ask for the socket, rather than a 404 that says it is not there."""
    return error_response(
        426,
        "This is a WebSocket: connect to it with ws:// (an Upgrade: websocket request).",
        "upgrade_required",
        {"Upgrade": "websocket", "Connection": "Upgrade"},
    )


@router.websocket(PATH)
async def thread_socket(websocket: WebSocket, thread_id: str) -> None:
    """Frames both ways, as docs/local-api.md ("WebSocket") describes."""
    service = core_of(websocket).service
    thread = await _thread(service, thread_id)
    hub = hub_of(websocket.app)
    client = hub.join(thread)
    client.send(Ready(client=client.id, thread_id=thread))
    pump = asyncio.create_task(client.pump(websocket, lambda: hub.heartbeat))
    counted = functools.partial(gate_of(websocket).count, websocket.state.key, peer_of(websocket))
    session = _Session(service, hub, client, counted)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            await session.take(message.get("text"))
    finally:
        hub.leave(client)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


class _Session:
    """One client's frames, done in the order they came."""

    def __init__(
        self, service: ChatService, hub: Hub, client: Client, counted: Callable[[], None]
    ) -> None:
        self._service = service
        self._hub = hub
        self._client = client
        self._counted = counted  # takes one from the key's rate, or raises `Refused`

    async def take(self, text: str | None) -> None:
        frame = _read(text)
        if not isinstance(frame, _FREE) and not self._within_rate(text):
            return
        if isinstance(frame, Error):
            self._client.send(frame)
            return
        try:
            reply = await self._do(frame)
        except ChatdeskError as error:
            reply = Error(code=status_of(error)[1], message=str(error), request_id=frame.request_id)
        except Exception:  # a bug: said without its detail, which goes to the log
            log.exception("WebSocket frame %s failed", frame.type)
            reply = Error(code="internal_error", message=_BUG, request_id=frame.request_id)
        if reply is not None:
            self._client.send(reply)

    def _within_rate(self, text: str | None) -> bool:
        try:
            self._counted()
        except Refused as refusal:
            self._client.send(
                Error(
                    code="rate_limited",
                    message=str(refusal),
                    request_id=_request_id(text),
                    retry_after=refusal.retry_after,
                )
            )
            return False
        return True

    async def _do(self, frame: ClientFrame) -> ServerFrame | None:
        service, asked = self._service, frame.request_id
        if isinstance(frame, SendMessage):
            turn = await service.send(self._client.thread_id, frame.content)
            user = turn.user_message.id if turn.user_message else None
            return Ack(request_id=asked, message_id=user, answer_id=turn.answer.id)
        if isinstance(frame, EditMessage):
            await self._own(frame.message_id)
            turn = await service.edit_message(frame.message_id, frame.content)
            user = turn.user_message.id if turn.user_message else None
            return Ack(request_id=asked, message_id=user, answer_id=turn.answer.id)
        if isinstance(frame, Regenerate):
            await self._own(frame.message_id)
            turn = await service.regenerate(frame.message_id)
            return Ack(request_id=asked, message_id=frame.message_id, answer_id=turn.answer.id)
        if isinstance(frame, DeleteMessage):
            await self._own(frame.message_id)
            await service.delete_message(frame.message_id)
            return Ack(request_id=asked, message_id=frame.message_id)
        if isinstance(frame, Stop):
            await self._own(frame.message_id)
            await service.stop(frame.message_id)
            return Ack(request_id=asked, message_id=frame.message_id)
        if isinstance(frame, TypingIndicator):
            self._hub.typing(self._client, frame.typing)
            return None
        if isinstance(frame, Ping):
            return Pong(request_id=asked)
        assert isinstance(frame, Auth)
        return Error(code="invalid_frame", message="The key was taken already.", request_id=asked)

    async def _own(self, message_id: uuid.UUID) -> None:
        """Refuse a message of another thread as if it did not exist."""
        message = await self._service.get_message(message_id)
        if message.thread_id != self._client.thread_id:
            raise NotFound(f"There is no message {message_id} in this thread.")


_FREE = (Ping, TypingIndicator)  # frames the rate limit does not count


def _read(text: str | None) -> ClientFrame | Error:
    """The frame, or the error that says why it cannot be read."""
    if text is None:
        return Error(code="invalid_frame", message="Frames are JSON text.")
    try:
        return CLIENT_FRAME.validate_json(text)
    except ValidationError as error:
        return _invalid(error, _request_id(text))


async def _first_frame_key(websocket: WebSocket, within: float) -> str:
    try:
        message = await asyncio.wait_for(websocket.receive(), within)
    except TimeoutError:
        raise WebSocketException(NO_KEY, "No key came in time.") from None
    try:
        frame = CLIENT_FRAME.validate_json(message.get("text") or "")
    except ValidationError:
        frame = None
    if not isinstance(frame, Auth):
        raise WebSocketException(NO_KEY, "The key must come first, in an AUTH frame.")
    return frame.key


async def _thread(service: ChatService, text: str) -> uuid.UUID:
    try:
        thread = await service.get_thread(uuid.UUID(text))
    except (ValueError, NotFound):
        thread = None
    if thread is None or thread.deleted:  # one in the trash is gone from the API too
        raise WebSocketException(NO_THREAD, "There is no such thread.")
    return thread.id


def _invalid(error: ValidationError, request_id: str | None) -> Error:
    problems = problems_of(error.errors(), whole="frame")
    return Error(
        code="invalid_frame", message=f"The frame is not valid: {problems}", request_id=request_id
    )


def _request_id(text: str | None) -> str | None:
    """A malformed frame's `request_id`, when it has one to echo."""
    try:
        data: Any = json.loads(text or "")
    except ValueError:
        return None
    asked = data.get("request_id") if isinstance(data, dict) else None
    return asked if isinstance(asked, str) and len(asked) <= 200 else None
