"""`POST /v1/chat/completions`, what other programs call most and stream from, answered past
FastAPI's routing and dependency solving: the key and the rate limit asked of the same `Gate`,
the body validated by the same Pydantic model, the answer made by the route's own function
(`routes/openai.py`, `completion`). The route stays, and describes the endpoint in the OpenAPI
document; this layer sits behind the guard (`guard.py`: Host, Origin, sizes, the log line).

Anything else goes on to FastAPI, with the body as it came: a body that is not a valid request
(FastAPI's 422 says what is wrong, in its words), a browser's request (it carries an `Origin`,
which CORS answers), any other path. On a request answered here, FastAPI's layers cost a
streamed completion's first token about twice what the rest of chatdesk's way costs.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatdesk.api.auth import Refused, presented_key, refused_headers
from chatdesk.api.errors import bug_response, chatdesk_error_response, error_response
from chatdesk.api.keep_alive import keep_alive_seconds
from chatdesk.api.openai_schemas import ChatCompletionRequest
from chatdesk.core.errors import ChatdeskError

log = logging.getLogger("chatdesk.api")

PATH = "/v1/chat/completions"


class FastCompletions:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        headers = dict(reversed(scope["headers"]))  # a name given twice: its first value
        content_type = headers.get(b"content-type", b"").partition(b";")[0].strip().lower()
        if b"origin" in headers or content_type != b"application/json":
            await self._app(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:
            return  # the client left before its request was whole: nobody to answer
        try:
            request = ChatCompletionRequest.model_validate_json(body)
        except ValidationError:  # FastAPI says what is wrong, as for any other route
            await self._app(scope, _replayed(body, receive), send)
            return
        await self._answer(scope, receive, send, headers, request)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        request: ChatCompletionRequest,
    ) -> None:
        from chatdesk.api.routes.openai import completion

        app = scope["app"]
        try:
            client = scope.get("client")
            peer = None if client is None else str(client[0])
            app.state.gate.admit(presented_key(_text_headers(headers)), peer)
        except Refused as refusal:
            status = refusal.status
            response = error_response(status, str(refusal), str(status), refused_headers(refusal))
            await response(scope, receive, send)
            return
        thread = headers.get(b"x-chatdesk-thread")
        every = keep_alive_seconds(app)
        try:
            answer = await completion(
                app.state.core, request, None if thread is None else thread.decode("latin-1"), every
            )
        except ChatdeskError as error:
            answer = chatdesk_error_response(error)
        except Exception as error:  # a bug: a 500 that names no detail, the detail logged
            log.error("POST %s failed", PATH, exc_info=error)
            answer = bug_response()
        await answer(scope, receive, send)


def _text_headers(headers: dict[bytes, bytes]) -> dict[str, str]:
    """The headers the key may come in, as text (HTTP headers are Latin-1)."""
    return {
        name: headers[raw].decode("latin-1")
        for name, raw in (("authorization", b"authorization"), ("x-api-key", b"x-api-key"))
        if raw in headers
    }


async def _body(receive: Receive) -> bytes | None:
    """The whole body (the guard counts it against the size limit as it comes); None when the
    client left before sending it all."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _replayed(body: bytes, receive: Receive) -> Receive:
    """`receive`, its body given again whole first."""
    given = False

    async def again() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
