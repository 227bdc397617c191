"""The frames of a thread's WebSocket (`/api/v1/threads/{id}/ws`): JSON text, each with a
`type`. These models are the one description of every frame, both ways; docs/local-api.md
("WebSocket") shows them as a table.

A client's frame may carry a `request_id`; the frame that answers it (`ACK`, `PONG` or
`ERROR`) carries it back. What happens in the thread (`MESSAGE_CREATED`, `STREAM_*`, …) is
sent to every client on it, whoever caused it: another socket, `/api/v1`, or the window.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from chatdesk.api.schemas import MessageOut, UsageOut

RequestId = Annotated[str | None, Field(max_length=200)]
Content = Annotated[str, Field(min_length=1)]

# -- from the client ------------------------------------------------------------------------------


class _ClientFrame(BaseModel):
    model_config = ConfigDict(frozen=True)

    request_id: RequestId = None


class Auth(_ClientFrame):
    """The key, as the first frame, from a client that cannot set the upgrade's headers."""

    type: Literal["AUTH"]
    key: str


class SendMessage(_ClientFrame):
    type: Literal["SEND_MESSAGE"]
    content: Content


class EditMessage(_ClientFrame):
    """A changed copy of a user message, answered again; the old version stays beside it."""

    type: Literal["EDIT_MESSAGE"]
    message_id: uuid.UUID
    content: Content


class DeleteMessage(_ClientFrame):
    """The message and everything that follows from it."""

    type: Literal["DELETE_MESSAGE"]
    message_id: uuid.UUID


class Regenerate(_ClientFrame):
    """Another answer beside an answer (or below a question that has none)."""

    type: Literal["REGENERATE"]
    message_id: uuid.UUID


class Stop(_ClientFrame):
    """Stop an answer being written; what it has so far is kept."""

    type: Literal["STOP"]
    message_id: uuid.UUID


class TypingIndicator(_ClientFrame):
    type: Literal["TYPING_INDICATOR"]
    typing: bool


class Ping(_ClientFrame):
    type: Literal["PING"]


ClientFrame = Annotated[
    Auth | SendMessage | EditMessage | DeleteMessage | Regenerate | Stop | TypingIndicator | Ping,
    Field(discriminator="type"),
]
CLIENT_FRAME: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)

# -- from the server ------------------------------------------------------------------------------


class Ready(BaseModel):
    """Sent once the key is taken: this connection's name (as `TYPING` gives it to the others)."""

    type: Literal["READY"] = "READY"
    client: str
    thread_id: uuid.UUID


class Ack(BaseModel):
    """A client's frame was done: the user's message and the answer it started, when it did."""

    type: Literal["ACK"] = "ACK"
    request_id: str | None = None
    message_id: uuid.UUID | None = None
    answer_id: uuid.UUID | None = None


class MessageCreated(BaseModel):
    """A user's message as stored, before any request to the model."""

    type: Literal["MESSAGE_CREATED"] = "MESSAGE_CREATED"
    message: MessageOut


class StreamStart(BaseModel):
    """An answer is being written (a new one, or a stopped one that goes on)."""

    type: Literal["STREAM_START"] = "STREAM_START"
    message_id: uuid.UUID
    message: MessageOut


class StreamChunk(BaseModel):
    type: Literal["STREAM_CHUNK"] = "STREAM_CHUNK"
    message_id: uuid.UUID
    delta: str
    offset: int = Field(description="where `delta` starts in the answer's text")
    reasoning: str = Field(
        default="", description="the model's reasoning that came with it, if any"
    )


class StreamEnd(BaseModel):
    type: Literal["STREAM_END"] = "STREAM_END"
    message_id: uuid.UUID
    status: str = Field(description="complete, error or interrupted")
    usage: UsageOut


class MessageUpdated(BaseModel):
    """A message as stored now: an answer once it has ended, with its whole text."""

    type: Literal["MESSAGE_UPDATED"] = "MESSAGE_UPDATED"
    message: MessageOut


class MessageDeleted(BaseModel):
    """Messages gone from the thread: the one deleted and those that followed from it."""

    type: Literal["MESSAGE_DELETED"] = "MESSAGE_DELETED"
    message_ids: list[uuid.UUID]


class Typing(BaseModel):
    """Another client on the thread started or stopped typing (never sent to that client)."""

    type: Literal["TYPING"] = "TYPING"
    client: str
    typing: bool


class Error(BaseModel):
    type: Literal["ERROR"] = "ERROR"
    code: str
    message: str
    request_id: str | None = None
    retry_after: int | None = Field(default=None, description="seconds, when rate limited")


class Pong(BaseModel):
    type: Literal["PONG"] = "PONG"
    request_id: str | None = None


class Heartbeat(BaseModel):
    """Sent when nothing else has been for a while, so idle connections stay open."""

    type: Literal["HEARTBEAT"] = "HEARTBEAT"


ServerFrame = (
    Ready
    | Ack
    | MessageCreated
    | StreamStart
    | StreamChunk
    | StreamEnd
    | MessageUpdated
    | MessageDeleted
    | Typing
    | Error
    | Pong
    | Heartbeat
)
