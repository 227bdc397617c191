"""The loopback redirect of a sign-in (RFC 8252 §7.3): a one-shot listener on 127.0.0.1 that
waits for the browser to come back from the authorization server with a code.

It listens on one port of 127.0.0.1 only, for `GET /callback` carrying the `state` this
sign-in sent: anything else (another path, another state, no state, another method) is
refused with a 400 and the listener goes on waiting, so a stray or forged request can neither
complete nor end the sign-in. The first answer with the right state ends it, whether it
brings a code or an error (the user refused); the listener then closes. It gives up after a
time. The page the browser shows is plain text and repeats nothing it was sent."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

PATH = "/callback"
HEAD_LIMIT = 16_384  # bytes of a request's head read before it is refused
READ_TIMEOUT = 10.0  # seconds a connection may take to send its request


class SignInFailed(ChatdeskError):
    """The sign-in did not end with tokens; the message says why."""


@dataclass(frozen=True)
class Answer:
    code: str
    state: str
    iss: str | None


class LoopbackRedirect:
    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._state: str | None = None
        self._answer: asyncio.Future[Answer] | None = None
        self.port = 0

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    async def open(self, port: int = 0) -> int:
        """Listen on `port` of 127.0.0.1, or on a free one when it is 0 or taken."""
        self._answer = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        except OSError:
            if port == 0:
                raise
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        listening: socket.socket = self._server.sockets[0]
        self.port = int(listening.getsockname()[1])
        return self.port

    def expect(self, state: str) -> None:
        """The state the authorization request carries: the only answer taken."""
        self._state = state

    async def answer(self, within: float) -> Answer:
        """The code the browser brought back; SignInFailed when the user refused, the server
        answered an error, or nothing came within `within` seconds."""
        assert self._answer is not None
        try:
            async with asyncio.timeout(within):
                return await asyncio.shield(self._answer)
        except TimeoutError:
            raise SignInFailed(
                tr(
                    "No answer came back from the browser within {minutes} min; sign in again",
                    minutes=f"{within / 60:.0f}" if within >= 60 else f"{within / 60:.1f}",
                )
            ) from None
        finally:
            await self.close()

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
            status, text = self._take(head[:HEAD_LIMIT].decode("latin-1"))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            status, text = 400, tr("This is not the answer chatdesk is waiting for.")
        body = text.encode("utf-8")
        writer.write(
            f"HTTP/1.1 {status} {'OK' if status == 200 else 'Bad Request'}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode("ascii")
            + body
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    def _take(self, head: str) -> tuple[int, str]:
        """The status and page for one request; the right one settles the answer."""
        refused = 400, tr("This is not the answer chatdesk is waiting for.")
        method, _, rest = head.partition(" ")
        target = rest.partition(" ")[0]
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        state = query.get("state", "")
        answer = self._answer
        if (
            method != "GET"
            or parts.path != PATH
            or self._state is None
            or not secrets.compare_digest(state.encode(), self._state.encode())
            or answer is None
            or answer.done()
        ):
            return refused
        if "error" in query:
            answer.set_exception(_refusal(query["error"], query.get("error_description", "")))
            return 200, tr("Sign-in was not completed. You can close this tab.")
        if not query.get("code"):
            return refused
        answer.set_result(Answer(query["code"], state, query.get("iss")))
        return 200, tr("Signed in. You can close this tab and go back to chatdesk.")


def _refusal(error: str, description: str) -> SignInFailed:
    if error == "access_denied":
        return SignInFailed(tr("Sign-in was refused (access denied); nothing was kept"))
    # The server's own words are untrusted: shown as plain text, cut short.
    said = "".join(c for c in f"{error}: {description}".strip(": ") if c.isprintable())[:200]
    return SignInFailed(tr("The authorization server answered an error: {said}", said=said))
