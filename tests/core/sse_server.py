"""A real OpenAI-compatible HTTP server on 127.0.0.1 for provider tests, with scripted faults.

Each request to `/v1/chat/completions` takes the next queued `Reply` (or a plain default
answer). A reply can be an HTTP error, an SSE stream, or a stream that misbehaves: holds before
the first byte, stalls after some events, drops the socket mid-body, sends broken JSON, or ends
without `[DONE]`. While a reply holds, the handler watches its socket so the test can learn,
through `disconnected`, that the client went away.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

_POLL = 0.02  # how often a held reply checks for a disconnect or a release


@dataclass
class Reply:
    status: int = 200
    events: list[str] = field(default_factory=list)  # SSE `data:` payloads, sent in order
    json_body: object = None  # for a non-stream reply (errors)
    headers: dict[str, str] = field(default_factory=dict)
    hold_first_byte: bool = False  # send nothing until released or the client leaves
    hold_after: int | None = None  # after this many events, wait until released or gone
    drop_after: int | None = None  # after this many events, close the socket mid-body
    done: bool = True  # end with `data: [DONE]`


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def chunk(
    content: str | None = None,
    *,
    finish: str | None = None,
    **delta_extra: str,
) -> str:
    """One chat.completion.chunk; `delta_extra` adds non-standard fields like `reasoning`."""
    delta: dict[str, Any] = {"role": "assistant"}
    if content is not None:
        delta["content"] = content
    delta.update(delta_extra)
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return json.dumps(_envelope(choices=[choice]))


def usage_chunk(
    prompt: int, completion: int, *, cached: int | None = None, reasoning: int | None = None
) -> str:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return json.dumps(_envelope(choices=[], usage=usage))


def text_reply(*tokens: str, finish: str = "stop", usage: bool = True) -> Reply:
    events = [chunk(token) for token in tokens] + [chunk(finish=finish)]
    if usage:
        events.append(usage_chunk(7, len(tokens)))
    return Reply(events=events)


def error_reply(status: int, message: str, *, code: str | None = None, **headers: str) -> Reply:
    body = {"error": {"message": message, "type": "api_error", "code": code, "param": None}}
    return Reply(status=status, json_body=body, headers=headers)


def _envelope(**fields: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
    } | fields


class LocalServer:
    """A real HTTP server on 127.0.0.1 (or `host`, e.g. "::1") serving `handler`, on a thread
    of its own: start with `start()`, always `close()`. Its handlers reach it as
    `self.server.fake`; `holding`, `release`, `disconnected` and `closing` are theirs to hold
    a reply (`HeldHandler.hold`) and to say a client left."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        self.host = host
        self.holding = threading.Event()  # a reply has started to hold
        self.release = threading.Event()  # lets held replies go on
        self.disconnected = threading.Event()  # a client left in the middle of a reply
        self.closing = threading.Event()
        server = _Server6 if ":" in host else _Server
        self._server = server((host, 0), handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return (
            f"http://[{self.host}]:{self.port}"
            if ":" in self.host
            else f"http://{self.host}:{self.port}"
        )

    def start(self) -> Self:
        self._thread.start()
        return self

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=_POLL)  # a short poll keeps close() quick

    def close(self) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads
        self._thread.join()


class FakeOpenAI(LocalServer):
    """Start with `start()`, always `close()`; `url` is the base URL to give a provider."""

    def __init__(
        self, models: tuple[str, ...] = ("small-model", "big-model"), *, key: str | None = None
    ) -> None:
        super().__init__(_Handler)
        self.models = models
        self.key = key  # when set, requests without "Authorization: Bearer <key>" get a 401
        # Where the key must come instead of Bearer: "x-api-key" (with anthropic-version, as
        # Anthropic's API reads it) or "api-key" (Azure OpenAI); a Bearer header is then a 401.
        self.key_header = "authorization"
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []

    @property
    def url(self) -> str:
        return f"{self.origin}/v1"

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def next_reply(self) -> Reply:
        return self.replies.popleft() if self.replies else text_reply("Hello", " world")


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handlers, so nothing outlives a test
    fake: Any


class _Server6(_Server):
    address_family = socket.AF_INET6


class HeldHandler(BaseHTTPRequestHandler):
    """A handler of a `LocalServer` that can hold a reply until released or the client
    leaves, drop its socket mid-body, and write chunked bodies."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None  # keep test output clean; the TLS test sends garbage on purpose

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _drop(self) -> None:
        """Close the socket in the middle of the chunked body, as a dying proxy would."""
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def _hold(self) -> bool:
        """Wait for `release`; False (and `disconnected` set) if the client leaves first."""
        fake = self.server.fake
        fake.holding.set()
        while not (fake.release.is_set() or fake.closing.is_set()):
            readable, _, _ = select.select([self.connection], [], [], _POLL)
            if readable and not self._peek():
                fake.disconnected.set()
                self.close_connection = True
                return False
        return not fake.closing.is_set()

    def _peek(self) -> bytes:
        """Look at what the client sent without taking it; b"" once it has gone."""
        try:
            data: bytes = self.connection.recv(1, socket.MSG_PEEK)
        except ConnectionError:
            return b""
        return data


class _Handler(HeldHandler):
    def do_GET(self) -> None:
        self._record({})
        if not self._authorized():
            return
        if self.path.rstrip("/") == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "t"}
                for m in self._fake.models
            ]
            self._send_json(200, {"object": "list", "data": data}, {})
        else:
            self._send_json(404, {"error": {"message": "no such route"}}, {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self._record(body)
        if not self._authorized():
            return
        reply = self._fake.next_reply()
        if reply.hold_first_byte and not self._hold():
            return
        if reply.status != 200 or reply.json_body is not None:
            self._send_json(reply.status, reply.json_body, reply.headers)
            return
        try:
            self._stream(reply)
        except (BrokenPipeError, ConnectionResetError):
            self._fake.disconnected.set()

    def _authorized(self) -> bool:
        key, where = self._fake.key, self._fake.key_header
        if key is None:
            return True
        if where == "authorization" and self.headers.get("Authorization") == f"Bearer {key}":
            return True
        versioned = where != "x-api-key" or bool(self.headers.get("anthropic-version"))
        alone = "Authorization" not in self.headers
        if where != "authorization" and self.headers.get(where) == key and versioned and alone:
            return True
        error = {"message": "Incorrect API key provided.", "code": "invalid_api_key"}
        self._send_json(401, {"error": error}, {})
        return False

    @property
    def _fake(self) -> FakeOpenAI:
        return self.server.fake

    def _record(self, body: dict[str, Any]) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._fake.requests.append(Recorded(self.path, headers, body))

    def _send_json(self, status: int, body: object, headers: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def _stream(self, reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for index, data in enumerate(reply.events):
            if index == reply.hold_after and not self._hold():
                return
            if index == reply.drop_after:
                self._drop()
                return
            self._write_chunk(f"data: {data}\n\n".encode())
        if reply.done:
            self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # the terminating zero-length chunk: a clean end of body
