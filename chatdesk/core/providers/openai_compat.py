"""Any server that speaks OpenAI's chat-completions API: OpenAI, Ollama, LM Studio, vLLM ...

The openai SDK is imported on first use, off the loop's thread (sdk.py), and never retries:
the chat service retries before the first token and nowhere else, because replaying a request
after text has arrived would duplicate it. Every failure leaves as a `ProviderError` whose
message a user can act on (openai_errors.py); the API key is scrubbed from anything the server
says back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from chatdesk.core.i18n import tr
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

if TYPE_CHECKING:
    import openai

log = logging.getLogger("chatdesk.provider")

CONNECT_TIMEOUT = 10.0
# Reasoning models may think for minutes before the first byte; the service's idle timeout
# watches the gaps between chunks separately.
FIRST_BYTE_TIMEOUT = 300.0
_PLACEHOLDER_KEY = "not-needed"  # local servers take any key, the SDK insists on one


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
        from chatdesk.core.providers.openai_errors import scrub, translate  # read on a failure

        translated = translate(error, self.profile.host, model, mid_answer)
        if translated is error:
            return error
        assert isinstance(translated, ProviderError)
        translated.args = (scrub(str(translated.args[0]), self.profile.api_key),)
        translated.hint = scrub(translated.hint, self.profile.api_key)
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
