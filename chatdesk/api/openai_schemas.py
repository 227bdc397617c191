"""The bodies of the OpenAI-compatible routes (`/v1/models`, `/v1/chat/completions`,
`/v1/embeddings`), in OpenAI's shape so its SDKs and the tools built on them read them
unchanged, plus chatdesk's own `chatdesk` field. The one description of each body; fields a
client may send that chatdesk does not use (`top_p`, `user`, `n` …) are taken and ignored."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class ModelOut(BaseModel):
    id: str = Field(description='"provider/model", or "assistant/<name>" for an assistant')
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = Field(description="the provider, or chatdesk for an assistant")


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


# -- what a client sends -------------------------------------------------------------------------


class ImageUrl(BaseModel):
    url: str = Field(description="a data: URL (data:image/png;base64,…); nothing is fetched")
    detail: str | None = None


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = Field(description='"text" or "image_url"')
    text: str | None = None
    image_url: ImageUrl | None = None


class FunctionCallIn(BaseModel):
    name: str
    arguments: str = ""


class ToolCallIn(BaseModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCallIn


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None
    tool_calls: list[ToolCallIn] | None = None
    tool_call_id: str | None = None


class FunctionIn(BaseModel):
    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})


class ToolIn(BaseModel):
    type: Literal["function"] = "function"
    function: FunctionIn


class StreamOptions(BaseModel):
    include_usage: StrictBool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(description='"provider/model" or "assistant/<name>" (GET /v1/models)')
    messages: list[MessageIn] = Field(min_length=1)
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    tools: list[ToolIn] | None = None
    tool_choice: str | dict[str, Any] | None = Field(
        None, description='"none" offers the model no tool; any other choice offers them all'
    )
    store: StrictBool | None = Field(
        None, description="true: keep the exchange as a chatdesk chat (X-Chatdesk-Thread too)"
    )


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(description='"provider/model", or a model name one provider offers')
    input: str | list[str] = Field(description="a text, or a list of texts")
    encoding_format: Literal["float", "base64"] | None = Field(
        None, description="base64: each vector's float32s, little-endian (the OpenAI SDKs ask it)"
    )


# -- what chatdesk answers -----------------------------------------------------------------------


class FunctionCallOut(BaseModel):
    name: str
    arguments: str


class ToolCallOut(BaseModel):
    index: int | None = None  # in a stream's chunks only
    id: str
    type: Literal["function"] = "function"
    function: FunctionCallOut


class AnswerMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    reasoning_content: str | None = Field(None, description="the model's reasoning, when shown")
    tool_calls: list[ToolCallOut] | None = None


class Choice(BaseModel):
    index: int = 0
    message: AnswerMessage
    finish_reason: str | None


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    @classmethod
    def of(cls, prompt: int | None, completion: int | None) -> Usage:
        asked, answered = prompt or 0, completion or 0
        return cls(prompt_tokens=asked, completion_tokens=answered, total_tokens=asked + answered)


class SourceOut(BaseModel):
    number: int = Field(description="as cited in the answer: [1], [2] …")
    base: str = Field(description="the knowledge base")
    path: str
    location: str
    text: str


class ChatdeskExtra(BaseModel):
    thread_id: uuid.UUID | None = Field(None, description="the chat it was kept in, if kept")
    message_id: uuid.UUID | None = None
    sources: list[SourceOut] = Field(default_factory=list)


class _Answer(BaseModel):
    """What a whole answer and each chunk of a streamed one have."""

    id: str
    created: int
    model: str
    usage: Usage | None = None
    chatdesk: ChatdeskExtra | None = None


class ChatCompletion(_Answer):
    object: Literal["chat.completion"] = "chat.completion"
    choices: list[Choice]


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCallOut] | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: str | None = None


class ChatCompletionChunk(_Answer):
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    choices: list[ChunkChoice] = Field(description="empty in the last chunk, the usage's")


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage
