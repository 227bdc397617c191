"""An OpenAI-compatible server's failures in words a user can act on: the SDK's errors sorted
into an `ErrorKind`, each with what it means and what to do, and what the server said with the
API key scrubbed from it."""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.base import ErrorKind, ProviderError
from chatdesk.core.retry import asked_wait

if TYPE_CHECKING:
    import openai

_MAX_SERVER_TEXT = 300


def translate(error: Exception, host: str, model: str, mid_answer: bool) -> Exception:
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


def scrub(text: str, key: str) -> str:
    return text.replace(key, "[key]") if key else text
