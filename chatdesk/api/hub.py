"""The clients connected to each thread's WebSocket, and what they are sent.

One subscription to the core's events, made while any client is connected, feeds them all:
an event about a thread becomes its frames once (serialised once) and goes to each client on
that thread. So a message sent from the window, the command line in this process, `/api/v1` or
another socket reaches every socket on the thread alike. Each client has its own outbox, written
by its own task (`Client.pump`), so a slow client delays no one else; one that falls so far
behind that its outbox fills is closed (1013), and reads the thread again when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.websockets import WebSocket, WebSocketDisconnect

from chatdesk.api.frames import (
    Heartbeat,
    MessageCreated,
    MessageDeleted,
    MessageUpdated,
    ServerFrame,
    StreamChunk,
    StreamEnd,
    StreamStart,
    Typing,
)
from chatdesk.api.schemas import MessageOut
from chatdesk.core.chat.events import (
    AnswerContinued,
    AnswerTextAppended,
    EventBus,
    MessageAdded,
    MessageFinished,
    MessagesDeleted,
)
from chatdesk.core.kinds import Role

log = logging.getLogger("chatdesk.api")

HEARTBEAT_SECONDS = 20.0  # a HEARTBEAT frame after this long with nothing else sent
AUTH_SECONDS = 5.0  # a browser's AUTH frame must come this soon after the upgrade
OUTBOX_FRAMES = 2_000  # frames waiting for one client before it is closed as too slow
TOO_SLOW = 1013  # the close code ("try again later") for a client whose outbox filled
_CLOSE = ""  # put alone in the outbox of a client too far behind: close it (no frame is empty)


class Client:
    """One connection to a thread's socket."""

    def __init__(self, thread_id: uuid.UUID, outbox_frames: int = OUTBOX_FRAMES) -> None:
        self.id = secrets.token_hex(4)
        self.thread_id = thread_id
        self.outbox: asyncio.Queue[str] = asyncio.Queue(outbox_frames)
        self.typing = False  # as it last said

    def put(self, text: str) -> None:
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            while not self.outbox.empty():
                self.outbox.get_nowait()
            self.outbox.put_nowait(_CLOSE)

    def send(self, frame: ServerFrame) -> None:
        self.put(frame.model_dump_json())

    async def pump(self, websocket: WebSocket, heartbeat: Callable[[], float]) -> None:
        """Write the outbox to the socket, and a heartbeat when it has been empty a while."""
        idle = Heartbeat().model_dump_json()
        try:
            while True:
                try:
                    text = await asyncio.wait_for(self.outbox.get(), heartbeat())
                except TimeoutError:
                    text = idle
                if text == _CLOSE:
                    log.info("WebSocket client %s fell behind its thread; closed", self.id)
                    await websocket.close(TOO_SLOW, "too_slow")
                    return
                await websocket.send_text(text)
        except WebSocketDisconnect:
            return  # the client went away as it was written to


class Hub:
    """The thread sockets' clients, by thread. `heartbeat` and `auth_timeout` are seconds."""

    def __init__(
        self,
        events: EventBus,
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
        auth_timeout: float = AUTH_SECONDS,
        outbox_frames: int = OUTBOX_FRAMES,
    ) -> None:
        self.heartbeat = heartbeat
        self.auth_timeout = auth_timeout
        self.outbox_frames = outbox_frames
        self._events = events
        self._threads: dict[uuid.UUID, list[Client]] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def join(self, thread_id: uuid.UUID) -> Client:
        client = Client(thread_id, self.outbox_frames)
        self._threads.setdefault(thread_id, []).append(client)
        if self._unsubscribe is None:
            self._unsubscribe = self._events.subscribe(self._publish)
        return client

    def leave(self, client: Client) -> None:
        if client.typing:  # the others would see it typing for ever
            self.typing(client, False)
        clients = self._threads.get(client.thread_id, [])
        with contextlib.suppress(ValueError):
            clients.remove(client)
        if not clients:
            self._threads.pop(client.thread_id, None)
        if not self._threads and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def typing(self, sender: Client, typing: bool) -> None:
        """Tell the thread's other clients that `sender` started or stopped typing."""
        sender.typing = typing
        text = Typing(client=sender.id, typing=typing).model_dump_json()
        for client in self._threads.get(sender.thread_id, ()):
            if client is not sender:
                client.put(text)

    def _publish(self, event: Any) -> None:
        thread_id = _thread_of(event)
        clients = self._threads.get(thread_id) if thread_id is not None else None
        if not clients:
            return
        for frame in frames_of(event):
            text = frame.model_dump_json()
            for client in clients:
                client.put(text)


def hub_of(app: Starlette) -> Hub:
    """The app's hub, made with its first socket."""
    hub: Hub | None = getattr(app.state, "hub", None)
    if hub is None:
        hub = app.state.hub = Hub(app.state.core.service.events)
    return hub


def frames_of(event: Any) -> list[ServerFrame]:
    """What clients on the event's thread are sent for it (nothing for most events)."""
    if isinstance(event, MessageAdded) and event.message.role is Role.USER:
        return [MessageCreated(message=MessageOut.of(event.message))]
    if isinstance(event, MessageAdded | AnswerContinued):
        return [StreamStart(message_id=event.message.id, message=MessageOut.of(event.message))]
    if isinstance(event, AnswerTextAppended):
        return [
            StreamChunk(
                message_id=event.message_id,
                delta=event.text,
                offset=event.text_offset,
                reasoning=event.reasoning,
            )
        ]
    if isinstance(event, MessageFinished):
        message = MessageOut.of(event.message)
        end = StreamEnd(message_id=message.id, status=message.status, usage=message.usage)
        return [end, MessageUpdated(message=message)]
    if isinstance(event, MessagesDeleted):
        return [MessageDeleted(message_ids=list(event.message_ids))]
    return []


def _thread_of(event: Any) -> uuid.UUID | None:
    thread_id = getattr(event, "thread_id", None)
    if thread_id is None:
        thread_id = getattr(getattr(event, "message", None), "thread_id", None)
    return thread_id if isinstance(thread_id, uuid.UUID) else None
