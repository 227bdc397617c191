"""One shape for every error the API answers, OpenAI's (`{"error": {"message", "type",
"code"}}`), so the OpenAI SDKs raise their own typed errors for it; and one handler that maps
the core's typed failures to HTTP statuses. Anything else is a bug: a 500 that names no detail
(the detail goes to the log)."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect, WebSocketException
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from chatdesk.core.errors import Busy, ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.providers.base import ErrorKind, ProviderError

log = logging.getLogger("chatdesk.api")

# A provider's failure, as the status an OpenAI client expects for it.
_PROVIDER_STATUS = {
    ErrorKind.AUTH: 502,  # chatdesk's key for the provider was refused, not the caller's
    ErrorKind.PERMISSION: 502,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.RATE_LIMIT: 429,
    ErrorKind.QUOTA: 429,
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.CONVERSATION_TOO_LONG: 400,
    ErrorKind.TIMEOUT: 504,
    ErrorKind.STALLED: 504,
}
_STATUS_TYPE = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def error_body(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def error_response(
    status: int, message: str, code: str | None, headers: dict[str, str] | None = None
) -> JSONResponse:
    kind = _STATUS_TYPE.get(status, "api_error")
    return JSONResponse(error_body(message, kind, code), status_code=status, headers=headers)


def status_of(error: ChatdeskError) -> tuple[int, str]:
    """The HTTP status and the error code a core failure is answered with."""
    if isinstance(error, ProviderError):
        return _PROVIDER_STATUS.get(error.kind, 502), str(error.kind)
    kind = getattr(error, "kind", None)
    code = str(kind) if kind is not None else type(error).__name__
    if isinstance(error, NotFound):
        return 404, code
    if isinstance(error, Busy):
        return 409, code
    if isinstance(error, InvalidRequest):
        return 400, code
    return 503, code  # the disk, the database, the keyring: chatdesk cannot do it now


def install(app: FastAPI) -> None:
    app.add_exception_handler(ChatdeskError, _chatdesk_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(WebSocketException, _socket_refused)
    app.add_exception_handler(Exception, _bug)


async def _chatdesk_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ChatdeskError)
    return chatdesk_error_response(error)


def chatdesk_error_response(error: ChatdeskError) -> JSONResponse:
    status, code = status_of(error)
    retry = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(max(1, round(retry)))} if retry else None
    return error_response(status, str(error), code, headers)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers) if error.headers else None
    if error.status_code == 405:
        headers = (headers or {}) | _allow(request, headers or {})
    code = None if error.status_code >= 500 else str(error.status_code)
    return error_response(error.status_code, str(error.detail), code, headers)


def _allow(request: Request, given: dict[str, str]) -> dict[str, str]:
    """Every method the path takes, as the description lists them: Starlette's 405 names those
    of the first route of the path only, and a path such as a thread's has one per method."""
    path = request.url.path
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)), path):
            return {"Allow": ", ".join(sorted(m.upper() for m in operations))}
    return {"Allow": given.get("Allow", "")}


def problems_of(errors: Iterable[Mapping[str, Any]], whole: str = "body") -> str:
    """A validation's problems in a line, each where it is and what is wrong (`whole`: where a
    problem of the whole thing is, such as text that is not JSON)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or whole}: {e.get('msg', '')}" for e in errors
    )


async def _invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = problems_of(error.errors())
    return error_response(422, f"The request is not valid: {problems}", "invalid_request")


async def _socket_refused(websocket: WebSocket, error: Exception) -> None:
    """Close a refused WebSocket with its code; a client that has gone already is no error."""
    assert isinstance(error, WebSocketException)
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.close(error.code, error.reason)


async def _bug(request: Request, error: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return bug_response()


def bug_response() -> JSONResponse:
    return error_response(500, "chatdesk failed on this request; its log says why.", None)
