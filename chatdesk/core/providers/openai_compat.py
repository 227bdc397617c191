"""Any server that speaks OpenAI's chat-completions API: OpenAI, Ollama, LM Studio, vLLM ...

The openai SDK is imported on first use, off the loop's thread (sdk.py), and never retries:
the chat service retries before the first token and nowhere else, because replaying a request
after text has arrived would duplicate it. Every failure leaves as a `ProviderError` whose
message a user can act on; the API key is scrubbed from anything the server says back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.base import (
    Accepted,
    ChatRequest,
    ErrorKind,
    Finished,
    ProviderError,
    StreamEvent,
    UsageReport,
    Waiting,
)
from chatdesk.core.providers.openai_wire import ChunkReader, request_arguments
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.providers.ratelimit import RateLimiter
from chatdesk.core.providers.sdk import ready_client
from chatdesk.core.retry import asked_wait

if TYPE_CHECKING:
    import openai

log = logging.getLogger("chatdesk.provider")

CONNECT_TIMEOUT = 10.0
# Reasoning models may think for minutes before the first byte; the service's idle timeout
# watches the gaps between chunks separately.
FIRST_BYTE_TIMEOUT = 300.0
_PLACEHOLDER_KEY = "not-needed"  # local servers take any key, the SDK insists on one
_MAX_SERVER_TEXT = 300


class OpenAICompatibleProvider:
    def __init__(
        self,
        profile: ProviderProfile,
        *,
        limiter: RateLimiter | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        first_byte_timeout: float = FIRST_BYTE_TIMEOUT,
    ) -> None:
        self.name = profile.name
        self.profile = profile
        self.models: tuple[str, ...] = _unique((profile.default_model, *profile.models))
        # The API cannot say which models make embeddings, so none is offered; any name the
        # user gives is tried.
        self.embedding_models: tuple[str, ...] = ()
        self.limiter = limiter or RateLimiter(profile.requests_per_minute)
        self._connect_timeout = connect_timeout
        self._first_byte_timeout = first_byte_timeout
        self._client: openai.AsyncOpenAI | None = None
        self._streams = 0  # answers being read; a retired provider closes after the last
        self._retired = False

    def __repr__(self) -> str:
        return f"OpenAICompatibleProvider({self.name!r}, {self.profile.host!r})"

    def context_window(self, model: str) -> int:
        return self.profile.context_window

    def cost(self, usage: UsageReport) -> float | None:
        return self.profile.cost(usage)

    async def list_models(self) -> list[str]:
        """The models the server offers (GET /models); also remembered in `models`."""
        client = await ready_client(self)
        try:
            page = await client.models.list()
            found = sorted([model.id async for model in page])
        except Exception as error:
            raise self.failure(error, model="", mid_answer=False) from None
        self.models = _unique((*found, *self.profile.models))
        return found

    async def embed(self, model: str, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in the texts' order (POST /embeddings). It waits its turn under
        the same request limit as answers, and is counted as one so retiring waits for it."""
        self._streams += 1
        try:
            # Time passing is what frees a place under the limit; no event could say so.
            while (delay := self.limiter.wait_time()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(delay)
            self.limiter.record()
            reply: object
            try:
                reply = await (await ready_client(self)).embeddings.create(
                    model=model, input=list(texts), encoding_format="float"
                )
            except (OverflowError, RecursionError):  # the SDK's parsing of absurd JSON
                reply = None  # refused just below, as any reply in another shape
            except Exception as error:
                raise self.failure(error, model=model, mid_answer=False) from None
            # The SDK does not validate what the server sent: the order is checked here, the
            # vectors themselves by providers/embeddings.py.
            data = getattr(reply, "data", None)
            found: dict[object, Any] = {
                getattr(item, "index", None): getattr(item, "embedding", None)
                for item in (data if isinstance(data, list) else ())
                if type(getattr(item, "index", None)) is int
            }
            if not isinstance(data, list) or set(found) != set(range(len(data))):
                raise ProviderError(
                    ErrorKind.PROTOCOL,
                    tr(
                        "{host} answered the embeddings request in a form chatdesk does "
                        "not understand.",
                        host=self.profile.host,
                    ),
                    hint=tr(
                        "Check that the base URL is an OpenAI-compatible server and that "
                        "the model makes embeddings."
                    ),
                )
            return [found[index] for index in range(len(data))]
        finally:
            self._streams -= 1
            if self._retired and not self._streams:
                await self.aclose()

    async def transcribe(
        self, model: str, audio: tuple[str, bytes, str], language: str | None, seconds: float
    ) -> str:
        """The text of the speech in `audio` (name, bytes, media type) through POST
        /audio/transcriptions, waited for `seconds` at most, under the same request limit as
        answers."""
        while (delay := self.limiter.wait_time()) > 0:  # noqa: ASYNC110 (time frees a place)
            await asyncio.sleep(delay)
        self.limiter.record()
        extra: dict[str, Any] = {"language": language} if language else {}
        try:
            reply = await (await ready_client(self)).audio.transcriptions.create(
                model=model, file=audio, response_format="json", timeout=seconds, **extra
            )
        except Exception as error:
            raise self.failure(error, model=model, mid_answer=False) from None
        text = getattr(reply, "text", None)
        if not isinstance(text, str):
            raise ProviderError(
                ErrorKind.PROTOCOL,
                tr("{host} sent back no transcript.", host=self.profile.host),
                hint=tr("Check that the server offers /audio/transcriptions."),
            )
        return text

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent]:
        self._streams += 1
        try:
            while (delay := self.limiter.wait_time()) > 0:
                yield Waiting(delay, self._limit_reason())
                await asyncio.sleep(delay)
            self.limiter.record()
            async for event in self._request(request):
                yield event
        finally:
            self._streams -= 1
            if self._retired and not self._streams:
                await self.aclose()

    async def _request(self, request: ChatRequest) -> AsyncGenerator[StreamEvent]:
        client = await ready_client(self)
        try:
            chunks = await client.chat.completions.create(
                **request_arguments(request, self.profile)
            )
        except Exception as error:
            raise self.failure(error, model=request.model, mid_answer=False) from None
        yield Accepted()  # the server answered with a stream: the model's words come next
        mid_answer = False
        reader = ChunkReader()
        try:
            async for chunk in chunks:
                for event in reader.events(chunk):
                    mid_answer = mid_answer or not isinstance(event, UsageReport | Finished)
                    yield event
        except Exception as error:
            raise self.failure(error, model=request.model, mid_answer=mid_answer) from None
        finally:
            # Also on cancellation: closing the response drops the connection, which is how
            # a local server learns to stop generating.
            await chunks.close()

    def _limit_reason(self) -> str:
        return tr(
            "Waiting for the request limit of {name} ({per_minute} a minute, set in its profile).",
            name=self.name,
            per_minute=self.limiter.per_minute,
        )

    async def retire(self) -> None:
        """This profile was edited or removed: close now, or after the answers it is writing."""
        self._retired = True
        if not self._streams:
            await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    def client(self) -> openai.AsyncOpenAI:
        """The SDK's client for this profile, made on first use (chat, and the other endpoints)."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> openai.AsyncOpenAI:
        import openai  # loaded by sdk.py; it re-exports httpx2's Timeout (no direct dependency)

        timeout = openai.Timeout(
            connect=self._connect_timeout,
            read=self._first_byte_timeout,
            write=30.0,
            pool=self._connect_timeout,
        )
        key = self.profile.api_key or _PLACEHOLDER_KEY
        return openai.AsyncOpenAI(
            api_key=key,
            base_url=self.profile.base_url,
            max_retries=0,
            timeout=timeout,
            # A redirect must not carry the key to a host the user never entered.
            http_client=openai.DefaultAsyncHttpxClient(
                timeout=timeout,
                follow_redirects=False,
                event_hooks={"request": _key_hooks(self.profile, key)},
            ),
        )

    def failure(self, error: Exception, *, model: str, mid_answer: bool) -> Exception:
        """`error` from a request to this server, as a `ProviderError` in words."""
        translated = _translate(error, self.profile.host, model, mid_answer)
        if translated is error:
            return error
        assert isinstance(translated, ProviderError)
        translated.args = (_scrub(str(translated.args[0]), self.profile.api_key),)
        translated.hint = _scrub(translated.hint, self.profile.api_key)
        log.info("%s: %s (%s)", self.name, translated.kind.value, type(error).__name__)
        return translated


def _key_hooks(profile: ProviderProfile, key: str) -> list[Callable[[Any], Awaitable[None]]]:
    """What puts the key where the server reads it when that is not Bearer (keys.py): each
    request then carries it once, in that header, and no Bearer."""
    from chatdesk.core.providers.keys import key_headers

    moved = key_headers(profile, key)
    if not moved:
        return []

    async def move_key(request: Any) -> None:
        request.headers.pop("Authorization", None)
        request.headers.update(moved)

    return [move_key]


# -- models --------------------------------------------------------------------------------------


def _unique(models: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(model for model in models if model))


# -- errors ------------------------------------------------------------------------------------


def _translate(error: Exception, host: str, model: str, mid_answer: bool) -> Exception:
    """The ProviderError for an SDK or parsing failure; anything unexpected is returned as is."""
    import openai

    if isinstance(error, json.JSONDecodeError):
        return ProviderError(
            ErrorKind.PROTOCOL,
            tr("{host} sent a part of the answer that is not valid JSON.", host=host),
            hint=tr("The server or a proxy in between is misbehaving; retry or check the server."),
        )
    if isinstance(error, openai.APITimeoutError):
        return _timeout_error(host, mid_answer)
    if isinstance(error, openai.APIConnectionError):
        return _connection_error(error, host, mid_answer)
    if isinstance(error, openai.APIStatusError):
        return _status_error(error.status_code, error, host, model, error.response.headers)
    if isinstance(error, openai.APIError):  # an {"error": ...} object inside a 200 stream
        return _status_error(None, error, host, model, {})
    return error


def _timeout_error(host: str, mid_answer: bool) -> ProviderError:
    if mid_answer:
        return ProviderError(
            ErrorKind.STALLED,
            tr("{host} stopped sending in the middle of the answer.", host=host),
            hint=tr("Retry, or check that the server is still running."),
        )
    return ProviderError(
        ErrorKind.TIMEOUT,
        tr("{host} did not answer in time.", host=host),
        hint=tr("Check that the server is running and reachable, then retry."),
    )


def _connection_error(
    error: openai.APIConnectionError, host: str, mid_answer: bool
) -> ProviderError:
    causes = list(_causes(error))
    if mid_answer:
        return ProviderError(
            ErrorKind.CUT_OFF,
            tr("The connection to {host} broke in the middle of the answer.", host=host),
            hint=tr("What arrived is kept; use Continue or Regenerate."),
        )
    if any(isinstance(cause, socket.gaierror) for cause in causes) or _mentions(
        causes, "name or service not known", "nodename nor servname", "getaddrinfo"
    ):
        return ProviderError(
            ErrorKind.CONNECTION,
            tr("Cannot resolve host {host}.", host=host),
            hint=tr("Check the base URL for typos and that this computer is online."),
        )
    if any(isinstance(cause, ssl.SSLError) for cause in causes) or _mentions(causes, "ssl", "tls"):
        return ProviderError(
            ErrorKind.CONNECTION,
            tr("The secure (TLS) connection to {host} failed.", host=host),
            hint=tr(
                "Check that the base URL uses the right scheme (http or https) and "
                "port, and that the server's certificate is trusted."
            ),
        )
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes) or _mentions(
        causes, "refused"
    ):
        return ProviderError(
            ErrorKind.CONNECTION,
            tr("{host} refused the connection.", host=host),
            hint=tr("Check that the server is running and listening on that port."),
        )
    return ProviderError(
        ErrorKind.CONNECTION,
        tr("Could not talk to {host}.", host=host),
        hint=tr("Check the base URL and the network connection, then retry."),
    )


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _mentions(causes: list[BaseException], *words: str) -> bool:
    text = " ".join(str(cause) for cause in causes).lower()
    return any(word in text for word in words)


def _status_error(
    status: int | None,
    error: openai.APIError,
    host: str,
    model: str,
    headers: Mapping[str, str],
) -> ProviderError:
    body = error.body if isinstance(error.body, dict) else {}
    if isinstance(body.get("error"), dict):  # some servers nest once more
        body = body["error"]
    code = str(body.get("code") or "").lower()
    kind_of = str(body.get("type") or "").lower()
    said = _server_text(body, error)
    status = status or _status_in_body(code)
    kind = _kind_for(status, f"{code} {kind_of}")
    if _too_long(status, kind, f"{code} {kind_of} {_message(body)}"):
        kind = ErrorKind.CONVERSATION_TOO_LONG
    message, hint = _explain(kind, host, model, status)
    retry_after = asked_wait(headers, time.time()) if kind is ErrorKind.RATE_LIMIT else None
    if retry_after is not None:
        hint = tr("Wait {seconds} s, then retry.", seconds=f"{retry_after:.0f}")
    detail = tr(" The server said: {said}", said=said) if said else ""
    return ProviderError(kind, message + detail, hint=hint, retry_after=retry_after)


# How servers say that the conversation does not fit the model's context window: OpenAI and
# Groq (code context_length_exceeded), LiteLLM (ContextWindowExceededError), llama.cpp
# (exceed_context_size_error), vLLM and Mistral ("maximum context length"), Anthropic's
# OpenAI-compatible API ("prompt is too long"). A proxy's 413 is the same story.
_TOO_LONG = re.compile(
    r"context_length_exceeded|context_?window_?exceeded|exceed_context_size"
    r"|maximum context length|context (?:window|length|size)|prompt is too long"
)


def _too_long(status: int | None, kind: ErrorKind, said: str) -> bool:
    """A refusal (or an error in the stream) saying that the conversation is too long."""
    if status not in (None, 400, 413) or kind not in (ErrorKind.BAD_REQUEST, ErrorKind.SERVER):
        return False
    return status == 413 or _TOO_LONG.search(said.lower()) is not None


def _message(body: Mapping[str, object]) -> str:
    text = body.get("message")
    return text if isinstance(text, str) else ""


def _status_in_body(code: str) -> int | None:
    return int(code) if code.isdigit() else None


def _kind_for(status: int | None, code: str) -> ErrorKind:
    if "insufficient_quota" in code:
        return ErrorKind.QUOTA
    if "model_not_found" in code:
        return ErrorKind.NOT_FOUND
    if "rate_limit" in code or status == 429:
        return ErrorKind.RATE_LIMIT
    if "invalid_api_key" in code or "authentication" in code or status == 401:
        return ErrorKind.AUTH
    if status == 403 or "permission" in code:
        return ErrorKind.PERMISSION
    if status == 404:
        return ErrorKind.NOT_FOUND
    if status == 408:
        return ErrorKind.TIMEOUT
    if status is not None and 400 <= status < 500 and status != 409:
        return ErrorKind.BAD_REQUEST
    return ErrorKind.SERVER  # 409, 5xx, or an error object in the stream with no clear code


_EXPLAINED: dict[ErrorKind, tuple[str, str]] = {
    ErrorKind.AUTH: (
        mark("{host} refused the API key."),
        mark("Check the API key in the provider settings."),
    ),
    ErrorKind.PERMISSION: (
        mark("The API key may not use {model} on {host}."),
        mark("Check the key's permissions or pick another model."),
    ),
    ErrorKind.NOT_FOUND: (
        mark("{host} does not know the model {model}."),
        mark("Pick a model the server offers, or check the base URL."),
    ),
    ErrorKind.RATE_LIMIT: (
        mark("{host} is rate limiting requests."),
        mark("Wait a moment, then retry."),
    ),
    ErrorKind.QUOTA: (
        mark("The account on {host} has run out of credit or quota."),
        mark("Check the plan and billing details with the provider."),
    ),
    ErrorKind.TIMEOUT: (mark("{host} gave up waiting for the request."), mark("Retry.")),
    ErrorKind.BAD_REQUEST: (
        mark("{host} refused the request for {model}."),
        mark("Check the model and its settings; a shorter conversation may help."),
    ),
    ErrorKind.CONVERSATION_TOO_LONG: (
        mark(
            "The conversation is too long for {model} on {host}: it does not fit the model's "
            "context window."
        ),
        mark("Summarise the older messages, or choose a model with a larger context window."),
    ),
    # translators: {status} in the first is " (HTTP 500)" or empty
    ErrorKind.SERVER: (mark("{host} had a problem{status}."), mark("Retry in a moment.")),
}


def _explain(kind: ErrorKind, host: str, model: str, status: int | None) -> tuple[str, str]:
    message, hint = _EXPLAINED[kind]
    shown_status = f" (HTTP {status})" if status else ""
    return tr(message, host=host, model=model or "?", status=shown_status), tr(hint)


def _server_text(body: Mapping[str, object], error: openai.APIError) -> str:
    text = body.get("message")
    if not isinstance(text, str) or not text:
        text = "" if body else error.message
    text = " ".join(text.split())
    return text[:_MAX_SERVER_TEXT] + ("…" if len(text) > _MAX_SERVER_TEXT else "")


def _scrub(text: str, key: str) -> str:
    return text.replace(key, "[key]") if key else text
