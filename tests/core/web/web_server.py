"""Real web servers on 127.0.0.1 (or ::1) for the web tests: pages, redirects and the four
search engines' answers, each a `Route` a test sets, and the ways a server misbehaves (never
answers, drips a byte at a time, sends far more than asked). It is sse_server's `LocalServer`
with a handler of its own; with `tls` it speaks HTTPS with a certificate made by
`TestAuthority`, and records the server name each client asked for (SNI).
"""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.core.sse_server import HeldHandler, LocalServer

_CHUNK = 64 * 1024


@dataclass
class Route:
    """What a path answers. `size` makes a body of that many bytes as it is sent (counted in
    `FakeWeb.sent`); `drip` sends its body a byte at a time, on and on, until the client
    leaves; `hold` answers nothing until the client leaves."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0
    drip: bool = False
    hold: bool = False


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


class FakeWeb(LocalServer):
    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        super().__init__(_WebHandler, host)
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.sent: dict[str, int] = {}  # bytes of each path's body written to a client
        self.finished: dict[str, threading.Event] = {}  # a path's reply has ended
        self.server_names: list[str | None] = []  # what each TLS client asked for (SNI)
        if tls is not None:
            tls.sni_callback = self._sni
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)

    @property
    def allow(self) -> str:
        """This server as `[web] allow_private` lists it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def route(self, path: str, **reply: Any) -> str:
        """Serve `path` so; its address."""
        self.routes[path] = Route(**reply)
        self.finished[path.partition("?")[0]] = threading.Event()
        return self.origin + path

    def page(self, path: str, html: str, content_type: str = "text/html; charset=utf-8") -> str:
        return self.route(path, body=html.encode(), headers={"Content-Type": content_type})

    def json(self, path: str, data: object, status: int = 200, **headers: str) -> str:
        body = json.dumps(data).encode()
        return self.route(
            path, status=status, body=body, headers={"Content-Type": "application/json", **headers}
        )

    def redirect(self, path: str, to: str, status: int = 302, **headers: str) -> str:
        return self.route(path, status=status, headers={"Location": to, **headers})

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]

    def _sni(self, sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        self.server_names.append(name)


class _WebHandler(HeldHandler):
    @property
    def _web(self) -> FakeWeb:
        web: FakeWeb = self.server.fake
        return web

    def do_GET(self) -> None:
        self._reply(b"")

    def do_POST(self) -> None:
        self._reply(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def _reply(self, body: bytes) -> None:
        web = self._web
        headers = {name.lower(): value for name, value in self.headers.items()}
        web.seen.append(Seen(self.command, self.path, headers, body))
        path = self.path.partition("?")[0]
        route = web.routes.get(self.path) or web.routes.get(path) or Route(404, b"not here")
        try:
            self._send(route, path)
        except (BrokenPipeError, ConnectionResetError):
            web.disconnected.set()
        finally:
            self.close_connection = True
            if path in web.finished:
                web.finished[path].set()

    def _send(self, route: Route, path: str) -> None:
        if route.hold and not self._hold():
            return
        self.send_response(route.status)
        length = route.size or (1_000_000 if route.drip else len(route.body))
        for name, value in {"Content-Length": str(length), **route.headers}.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if route.drip:
            self._drip(path)
        elif route.size:
            self._flood(route.size, path)
        else:
            self.wfile.write(route.body)

    def _drip(self, path: str) -> None:
        web = self._web
        while not web.closing.wait(0.05):  # the server's pace: a byte every 50 ms
            self.wfile.write(b"x")
            self.wfile.flush()
            web.sent[path] = web.sent.get(path, 0) + 1

    def _flood(self, size: int, path: str) -> None:
        web = self._web
        block = b"<p>" + b"a" * (_CHUNK - 7) + b"</p>\n"
        while web.sent.get(path, 0) < size:
            self.wfile.write(block[: size - web.sent.get(path, 0)])
            self.wfile.flush()
            web.sent[path] = web.sent.get(path, 0) + min(len(block), size - web.sent.get(path, 0))


# -- the engines' answers ------------------------------------------------------------------------

Hit = tuple[str, str, str]  # title, address, snippet


def searxng_answer(hits: list[Hit]) -> dict[str, Any]:
    results = [{"title": t, "url": u, "content": s, "engine": "wikipedia"} for t, u, s in hits]
    return {"query": "q", "number_of_results": len(hits), "results": results}


def brave_answer(hits: list[Hit]) -> dict[str, Any]:
    results = [
        {"title": t, "url": u, "description": s, "type": "search_result"} for t, u, s in hits
    ]
    return {"type": "search", "web": {"type": "search", "results": results}}


def tavily_answer(hits: list[Hit]) -> dict[str, Any]:
    results = [{"title": t, "url": u, "content": s, "score": 0.9} for t, u, s in hits]
    return {"query": "q", "results": results, "response_time": 0.5}


def duckduckgo_page(hits: list[Hit], *, ad: Hit | None = None) -> str:
    """A results page shaped as html.duckduckgo.com's: links through /l/?uddg=, an ad first."""
    blocks = []
    if ad is not None:
        title, url, snippet = ad
        blocks.append(
            '<div class="result results_links result--ad"><div class="links_main">'
            f'<h2 class="result__title"><a class="result__a" href="https://duckduckgo.com/y.js?'
            f'ad_domain=x&amp;u3={quote(url)}">{title}</a></h2>'
            f'<a class="result__snippet" href="#">{snippet}</a></div></div>'
        )
    for title, url, snippet in hits:
        blocks.append(
            '<div class="result results_links results_links_deep web-result">'
            '<div class="links_main links_deep result__body"><h2 class="result__title">'
            f'<a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg={quote(url, "")}'
            f'&amp;rut=abc">{title}</a></h2>'
            f'<a class="result__snippet" href="//duckduckgo.com/l/?uddg={quote(url, "")}">'
            f"{snippet}</a></div></div>"
        )
    if not hits:
        blocks.append('<div class="no-results">No results.</div>')
    body = "\n".join(blocks)
    head = "<head><title>q at DuckDuckGo</title></head>"
    return f"<!DOCTYPE html><html>{head}<body>{body}</body></html>"


# -- certificates --------------------------------------------------------------------------------


class TestAuthority:
    """A certificate authority made for one test, and server certificates it signs."""

    __test__ = False

    def __init__(self, folder: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._folder = folder
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chatdesk test CA")])
        self._name = name
        self._cert = (
            self._builder(name, self._key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    def _builder(self, subject: Any, public_key: Any) -> Any:
        from cryptography import x509

        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
        )

    def client(self) -> ssl.SSLContext:
        """A client's context that trusts this authority alone, and checks host names."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return ssl.create_default_context(cadata=self._cert.public_bytes(Encoding.PEM).decode())

    def server(self, name: str) -> ssl.SSLContext:
        """A server's context with a certificate for `name` signed by this authority."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            self._builder(subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        pem = self._folder / f"{name}.pem"
        pem.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            + cert.public_bytes(serialization.Encoding.PEM)
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pem)
        return context
