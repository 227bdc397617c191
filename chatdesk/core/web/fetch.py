"""The one way chatdesk asks the web for anything: a page, a search (decision 0046).

Every request, and every redirect it is sent on, is checked before it is made: http or https,
and an address on the public internet unless `[web] allow_private` lists the server. The
check is made on the addresses the name resolved to, and the connection then goes to the
address checked, so a name that resolves to a public address for the check and to 127.0.0.1
for the connection (DNS rebinding) reaches nothing it should not. The whole request, redirects
and body included, ends at `[web] timeout_seconds`; at most `[web] page_max_mb` of the body is
read; no cookie is kept from one request, or one redirect, to the next.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatdesk import __version__
from chatdesk.core.i18n import tr
from chatdesk.core.retry import asked_wait
from chatdesk.core.web.addresses import (
    AllowList,
    IPAddress,
    Resolver,
    host_port,
    parse_address,
    refusal,
    system_resolver,
)
from chatdesk.core.web.errors import (
    AddressRefused,
    HttpStatus,
    NotWeb,
    TimedOut,
    TooBig,
    TooManyRedirects,
    WebError,
    broken_off,
    name_not_found,
    no_connection,
)

if TYPE_CHECKING:
    import httpx2 as httpx

    from chatdesk.core.settings_outside import WebSettings

MAX_REDIRECTS = 5
USER_AGENT = f"chatdesk/{__version__} (desktop AI chat client)"
MB = 1024 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PORTS = {"http": 80, "https": 443}
# Types that are read as text: cut short, their beginning is still a page (and a page's main
# text is near its beginning). Anything else, cut, would be a broken file.
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json")


@dataclass(frozen=True)
class Page:
    """What a request got: the address it ended at after redirects, the status, the type and
    charset the headers gave (lower case; "" and None when they gave none), the body, whether
    the body was cut at the size limit, and the address it was read from."""

    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes = field(repr=False)
    cut: bool
    address: str


@dataclass(frozen=True)
class _Redirect:
    status: int
    location: str


@dataclass(frozen=True)
class _Ask:
    method: str
    url: httpx.URL
    headers: Mapping[str, str]
    content: bytes | None
    cut_ok: bool


class Fetcher:
    """Requests under `[web]`'s limits. `resolver` answers for names (the system's unless a
    test hands another); `tls` checks certificates (the system's trust store unless given)."""

    def __init__(
        self,
        settings: WebSettings,
        *,
        resolver: Resolver = system_resolver,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._allowed = AllowList.parse(settings.allow_private)
        self._seconds = settings.timeout_seconds
        self._limit = int(settings.page_max_mb * MB)
        self._limit_mb = settings.page_max_mb
        self._resolve = resolver
        self._tls = tls

    async def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, cut_ok: bool = True
    ) -> Page:
        """The page at `url`. A text page past the size limit comes back cut (`Page.cut`)
        when `cut_ok`; a document past it, or any page without `cut_ok`, is `TooBig`."""
        return await self._within_time(url, "GET", headers or {}, None, cut_ok)

    async def post(self, url: str, content: bytes, *, headers: Mapping[str, str]) -> Page:
        return await self._within_time(url, "POST", headers, content, False)

    async def _within_time(
        self,
        url: str,
        method: str,
        headers: Mapping[str, str],
        content: bytes | None,
        cut_ok: bool,
    ) -> Page:
        import httpx2 as httpx

        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise NotWeb(url) from None
        try:
            async with asyncio.timeout(self._seconds):
                return await self._follow(_Ask(method, parsed, headers, content, cut_ok))
        except TimeoutError:
            raise TimedOut(url, self._seconds) from None
        except httpx.TimeoutException:  # its own limits are the same: a backstop
            raise TimedOut(url, self._seconds) from None
        except httpx.TransportError as error:  # cut off mid-answer, or not HTTP at all
            raise broken_off(parsed.host, str(error) or type(error).__name__) from None

    async def _follow(self, ask: _Ask) -> Page:
        first = ask.url
        for _ in range(MAX_REDIRECTS + 1):
            addresses = await self._checked(ask.url)
            got = await self._try_each(ask, addresses)
            if isinstance(got, Page):
                return got
            ask = _redirected(ask, got)
        raise TooManyRedirects(str(first), MAX_REDIRECTS)

    async def _checked(self, url: httpx.URL) -> list[IPAddress]:
        """The addresses `url` may be read from; refused when any of them is private and not
        allowed (a name that resolves to a public and a private address is a trap)."""
        if url.scheme not in _PORTS or not url.raw_host:
            raise NotWeb(str(url))
        host = url.raw_host.decode("ascii")
        port = url.port or _PORTS[url.scheme]
        literal = parse_address(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await self._resolve(host, port)
            except OSError:
                raise name_not_found(host) from None
            if not addresses:
                raise name_not_found(host)
        for address in addresses:
            why = refusal(address)
            if why is not None and not self._allowed.allows(host, address, port):
                raise AddressRefused(host, str(address), why, host_port(host, port))
        return addresses

    async def _try_each(self, ask: _Ask, addresses: list[IPAddress]) -> Page | _Redirect:
        """The first address that takes the connection answers (a name with an IPv6 address
        this machine has no route to is read over IPv4)."""
        import httpx2 as httpx

        reason = ""
        for address in addresses:
            try:
                return await self._exchange(ask, address)
            except httpx.ConnectError as error:
                reason = str(error) or type(error).__name__
        raise no_connection(ask.url.host, reason)

    async def _exchange(self, ask: _Ask, address: IPAddress) -> Page | _Redirect:
        import httpx2 as httpx

        host = ask.url.raw_host.decode("ascii")
        # Pinning: the request's URL names the address checked, so nothing resolves the name
        # again; the Host header and the `sni_hostname` extension (read by httpcore2 when it
        # starts TLS: server_hostname for SNI, and the name the certificate is checked
        # against, as ssl's check_hostname does) keep the real name. The certificate must
        # still be valid for that name, so a pinned address cannot pose as another site.
        pinned = ask.url.copy_with(host=str(address))
        headers = {
            "Host": ask.url.netloc.decode("ascii"),
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "gzip",
            **ask.headers,
        }
        # A client per request, so no cookie outlives it; environment proxies are ignored, as
        # a proxy would resolve the name itself.
        async with httpx.AsyncClient(
            verify=await self._context(),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(self._seconds),
        ) as client:
            request = client.build_request(
                ask.method,
                pinned,
                headers=headers,
                content=ask.content,
                extensions={"sni_hostname": host},
            )
            response = await client.send(request, stream=True)
            try:
                return await self._answer(ask, response, str(address))
            finally:
                await response.aclose()

    async def _context(self) -> ssl.SSLContext:
        """The certificate check, made once per fetcher: loading the system's trust store
        takes ~100 ms, so it is done off the event loop, and not for every request."""
        if self._tls is None:
            import httpx2 as httpx

            self._tls = await asyncio.to_thread(httpx.create_ssl_context, trust_env=False)
        return self._tls

    async def _answer(self, ask: _Ask, response: httpx.Response, address: str) -> Page | _Redirect:
        status = response.status_code
        if status in _REDIRECTS and "location" in response.headers:
            return _Redirect(status, response.headers["location"])
        if status >= 400:
            wait = asked_wait(response.headers, time.time())
            raise HttpStatus(str(ask.url), status, wait)
        content_type, charset = _content_type(response.headers.get("content-type", ""))
        may_cut = ask.cut_ok and (not content_type or content_type.startswith(_TEXT_TYPES))
        declared = response.headers.get("content-length", "")
        if not may_cut and declared.isdigit() and int(declared) > self._limit:
            raise TooBig(str(ask.url), self._limit_mb)  # refused before a byte of it is read
        body, cut = await self._body(response, str(ask.url))
        if cut and not may_cut:
            raise TooBig(str(ask.url), self._limit_mb)
        return Page(str(ask.url), status, content_type, charset, body, cut, address)

    async def _body(self, response: httpx.Response, url: str) -> tuple[bytes, bool]:
        """At most the size limit of the body, unpacked; True when there was more. Reading
        stops there, so a body of any size costs no more than the limit."""
        unpack = _unpacker(response.headers.get("content-encoding", ""))
        parts: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            try:  # unpacked no further than the limit: a small gzip bomb stays small
                data = raw if unpack is None else unpack.decompress(raw, self._limit - size + 1)
            except zlib.error:
                raise WebError(
                    tr("{url} sent a compressed page that could not be unpacked.", url=url)
                ) from None
            parts.append(data)
            size += len(data)
            if size > self._limit:
                return b"".join(parts)[: self._limit], True
        return b"".join(parts), False


def _redirected(ask: _Ask, redirect: _Redirect) -> _Ask:
    import httpx2 as httpx

    try:
        target = ask.url.join(redirect.location)
    except httpx.InvalidURL:
        raise NotWeb(redirect.location) from None
    if target.scheme not in _PORTS:
        raise NotWeb(redirect.location)
    same_origin = (target.scheme, target.raw_host, target.port) == (
        ask.url.scheme,
        ask.url.raw_host,
        ask.url.port,
    )
    headers = ask.headers if same_origin else {}  # a key is never sent to another server
    if redirect.status == 303 or (redirect.status in (301, 302) and ask.method == "POST"):
        return _Ask("GET", target, headers, None, ask.cut_ok)
    return _Ask(ask.method, target, headers, ask.content, ask.cut_ok)


def _content_type(header: str) -> tuple[str, str | None]:
    kind, _, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            charset = value.strip().strip('"').lower()
    return kind.strip().lower(), charset


def _unpacker(encoding: str) -> zlib._Decompress | None:
    """The page is asked for gzip or as it is; a server that sends deflate is read too. Any
    other coding is handed on as it came, and the page's reader finds it is no text."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None
