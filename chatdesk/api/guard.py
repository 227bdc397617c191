"""What every request and WebSocket passes before a route sees it: its `Host` names this machine
(DNS rebinding), its `Origin`, when a browser sent one, is allowed (cross-site requests and
WebSocket hijacking), its body is within the limit; and one log line per request, by method,
path, status and time, never with its text or key.

Starlette's `TrustedHostMiddleware` would check the name alone: it drops the port and cannot
read a bracketed IPv6 address, and a rebinding page on another port of this machine must fail
too. So the check is here, as plain ASGI, for HTTP and WebSocket alike.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatdesk.api.errors import error_body
from chatdesk.api.options import ApiOptions

log = logging.getLogger("chatdesk.api")


class Guard:
    def __init__(self, app: ASGIApp, options: ApiOptions) -> None:
        self._app = app
        self._options = options
        self._names = options.host_names()
        self._origins = frozenset(o.rstrip("/").lower() for o in options.origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, code, message = refusal
            await _refuse(scope, send, status, code, message)
            _log(scope, status, started)
            return
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send, started)
            return
        await self._http(scope, receive, send, headers, started)

    async def _socket(self, scope: Scope, receive: Receive, send: Send, started: float) -> None:
        """One line when the socket ends: 101 once it was accepted, else the close code it was
        refused with; its time is how long it was open."""
        state: dict[str, Any] = {"status": 0}

        async def noted_send(message: Message) -> None:
            if message["type"] == "websocket.accept":
                state["status"] = 101
            elif message["type"] == "websocket.close" and not state["status"]:
                state["status"] = message.get("code", 1000)
            await send(message)

        try:
            await self._app(scope, receive, noted_send)
        finally:
            _log(scope, state["status"], started)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str, str] | None:
        host = headers.get("host", "")
        if not self._host_allowed(host, scope):
            return 421, "host_not_allowed", "This API answers only requests addressed to it."
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host):
            return 403, "origin_not_allowed", "Web pages from this origin may not call the API."
        return None

    def _host_allowed(self, host: str, scope: Scope) -> bool:
        name, colon, port = host.lower().rpartition(":")
        if not colon or not name:
            return False  # no port: not how a client of this server names it
        if ":" in name and not (name.startswith("[") and name.endswith("]")):
            return False  # an IPv6 address without its brackets
        server = scope.get("server")
        if server is None or port != str(server[1]):
            return False
        return name in self._names or name == _bracketed(str(server[0]))

    def _origin_allowed(self, origin: str, host: str) -> bool:
        origin = origin.rstrip("/").lower()
        own = (f"http://{host.lower()}", f"https://{host.lower()}")
        return origin in own or origin in self._origins

    async def _http(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, started: float
    ) -> None:
        limit = self._options.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, 413, "body_too_large", _too_large(limit))
            _log(scope, 413, started)
            return
        state: dict[str, Any] = {"status": 500, "started": False, "read": 0}

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    raise _BodyTooLarge
            return message

        async def noted_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
            await send(message)

        try:
            await self._app(scope, counted_receive, noted_send)
        except _BodyTooLarge:
            if state["started"]:
                raise
            state["status"] = 413
            await _refuse(scope, send, 413, "body_too_large", _too_large(limit))
        finally:
            _log(scope, state["status"], started)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> str:
    return f"The request is larger than the API takes ({limit} bytes; [api] max_body_mb)."


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting answers the upgrade with 403: the page learns nothing more.
        await send({"type": "websocket.close", "code": 1008, "reason": code})
        return
    from starlette.responses import JSONResponse

    response = JSONResponse(error_body(message, "invalid_request_error", code), status_code=status)
    await response({"type": "http"} | dict(scope), _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _log(scope: Scope, status: int, started: float) -> None:
    elapsed = (time.perf_counter() - started) * 1000
    kind = "WS" if scope["type"] == "websocket" else scope.get("method", "?")
    log.info("%s %s %s %.1f ms", kind, scope.get("path", ""), status, elapsed)
