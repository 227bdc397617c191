"""The guarded fetch against real servers on 127.0.0.1: what it reads, what it refuses, where
it stops."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk import __version__
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.addresses import IPAddress
from chatdesk.core.web.errors import (
    AddressRefused,
    HttpStatus,
    NotWeb,
    TimedOut,
    TooBig,
    TooManyRedirects,
    Unreachable,
)
from chatdesk.core.web.fetch import MB, Fetcher
from tests.core.web.conftest import WAIT, web_settings
from tests.core.web.web_server import FakeWeb, TestAuthority
from tests.ports import free_port

pytestmark = pytest.mark.asyncio


class Names:
    """A resolver a test controls: each name's addresses, and every question asked."""

    def __init__(self, **names: list[str]) -> None:
        self.names = {name.replace("_", "."): addresses for name, addresses in names.items()}
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(address) for address in self.names[host]]


@pytest.fixture
def other() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


async def test_a_page_is_read_with_its_type_charset_and_the_address_it_came_from(
    web: FakeWeb,
) -> None:
    url = web.page("/article", "<h1>Caf\u00e9</h1>", 'Text/HTML; Charset="ISO-8859-1"')
    page = await Fetcher(web_settings(web)).get(url)
    assert (page.url, page.status, page.cut, page.address) == (url, 200, False, "127.0.0.1")
    assert (page.content_type, page.charset) == ("text/html", "iso-8859-1")
    assert page.body == "<h1>Caf\u00e9</h1>".encode()
    [seen] = web.seen
    assert seen.headers["user-agent"] == f"chatdesk/{__version__} (desktop AI chat client)"
    assert seen.headers["host"] == f"127.0.0.1:{web.port}"
    assert "cookie" not in seen.headers


async def test_without_allow_private_this_computer_is_refused_and_never_asked(
    web: FakeWeb,
) -> None:
    url = web.page("/", "<p>secret admin page</p>")
    with pytest.raises(AddressRefused) as refused:
        await Fetcher(WebSettings()).get(url)
    assert str(refused.value) == (
        f"chatdesk does not reach 127.0.0.1 (127.0.0.1): it is this computer (a loopback "
        f"address). If you trust this server, add 127.0.0.1:{web.port} to allow_private in "
        "the [web] settings."
    )
    assert web.seen == []


@pytest.mark.parametrize(
    "host",
    ["localhost", "2130706433", "0x7f000001", "127.1", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]"],
)
async def test_every_way_of_writing_this_computer_is_refused(web: FakeWeb, host: str) -> None:
    web.page("/", "<p>secret admin page</p>")
    with pytest.raises(AddressRefused, match="it is this computer"):
        await Fetcher(WebSettings()).get(f"http://{host}:{web.port}/")
    assert web.seen == []


async def test_allowing_one_server_does_not_open_the_rest_of_the_machine(
    web: FakeWeb, other: FakeWeb
) -> None:
    url = other.page("/", "<p>another service</p>")
    with pytest.raises(AddressRefused, match=f"add 127.0.0.1:{other.port} to allow_private"):
        await Fetcher(web_settings(web)).get(url)
    assert other.seen == []


async def test_a_redirect_to_a_private_address_is_refused(web: FakeWeb, other: FakeWeb) -> None:
    target = other.page("/admin", "<p>router admin</p>")
    url = web.redirect("/go", target)
    with pytest.raises(AddressRefused, match=r"127\.0\.0\.1 \(127\.0\.0\.1\): it is this computer"):
        await Fetcher(web_settings(web)).get(url)
    assert web.paths() == ["/go"]
    assert other.seen == []


async def test_a_redirect_to_a_public_looking_name_of_this_computer_is_refused(
    web: FakeWeb, other: FakeWeb
) -> None:
    other.page("/admin", "<p>router admin</p>")
    names = Names(news_example_com=["127.0.0.1"])
    url = web.redirect("/go", f"http://news.example.com:{other.port}/admin")
    with pytest.raises(AddressRefused) as refused:
        await Fetcher(web_settings(web), resolver=names).get(url)
    assert "news.example.com (127.0.0.1): it is this computer" in str(refused.value)
    assert names.asked == ["news.example.com"]
    assert other.seen == []


async def test_a_name_with_a_public_and_a_private_address_is_refused(web: FakeWeb) -> None:
    names = Names(mixed_example_com=["93.184.216.34", "10.0.0.8"])
    with pytest.raises(AddressRefused, match=r"mixed\.example\.com \(10\.0\.0\.8\)"):
        await Fetcher(WebSettings(), resolver=names).get("https://mixed.example.com/")


async def test_the_connection_goes_to_the_address_checked_not_a_second_lookup(
    web: FakeWeb,
) -> None:
    """`pinned.test` exists only in this resolver, which answers once with this computer (allowed
    by name) and after that with an address that would be refused: the page is read, so the
    connection went to the address checked, and the server saw the name asked for."""

    class Rebinding(Names):
        async def __call__(self, host: str, port: int) -> list[IPAddress]:
            found = await super().__call__(host, port)
            self.names[host] = ["169.254.169.254"]
            return found

    names = Rebinding(pinned_test=["127.0.0.1"])
    web.page("/p", "<p>pinned</p>")
    settings = web_settings(allow_private=f"pinned.test:{web.port}")
    page = await Fetcher(settings, resolver=names).get(f"http://pinned.test:{web.port}/p")
    assert (page.body, page.address, page.url) == (b"<p>pinned</p>", "127.0.0.1", page.url)
    assert names.asked == ["pinned.test"]
    assert web.seen[0].headers["host"] == f"pinned.test:{web.port}"


async def test_https_to_the_pinned_address_keeps_the_name_for_sni_and_the_certificate(
    tmp_path: Path,
) -> None:
    pytest.importorskip("cryptography")
    authority = TestAuthority(tmp_path)
    server = FakeWeb(tls=authority.server("pinned.test")).start()
    try:
        server.page("/secure", "<p>over TLS</p>")
        allow = f"pinned.test:{server.port} impostor.test:{server.port}"
        names = Names(pinned_test=["127.0.0.1"], impostor_test=["127.0.0.1"])
        fetcher = Fetcher(web_settings(allow_private=allow), resolver=names, tls=authority.client())
        page = await fetcher.get(f"https://pinned.test:{server.port}/secure")
        assert page.body == b"<p>over TLS</p>"
        assert server.server_names == ["pinned.test"]
        assert server.seen[0].headers["host"] == f"pinned.test:{server.port}"
        # the same address under a name its certificate does not carry: refused by TLS
        with pytest.raises(Unreachable, match=r"impostor\.test") as refused:
            await fetcher.get(f"https://impostor.test:{server.port}/secure")
        assert "certificate" in str(refused.value).lower()
        assert len(server.seen) == 1
    finally:
        server.close()


async def test_the_next_address_is_tried_when_the_first_takes_no_connection(
    web: FakeWeb,
) -> None:
    web.page("/", "<p>over IPv4</p>")
    names = Names(dual_test=["127.0.0.2", "127.0.0.1"])  # nothing listens on 127.0.0.2
    settings = web_settings(allow_private=f"dual.test:{web.port}")
    page = await Fetcher(settings, resolver=names).get(f"http://dual.test:{web.port}/")
    assert (page.body, page.address) == (b"<p>over IPv4</p>", "127.0.0.1")


async def test_redirects_are_followed_five_times_and_no_more(web: FakeWeb) -> None:
    for hop in range(6):
        web.redirect(f"/{hop}", f"/{hop + 1}", status=(301, 302, 303, 307, 308, 302)[hop])
    last = web.page("/6", "<p>arrived</p>")
    fetcher = Fetcher(web_settings(web))
    page = await fetcher.get(web.origin + "/1")
    assert (page.url, page.body) == (last, b"<p>arrived</p>")
    with pytest.raises(TooManyRedirects) as refused:
        await fetcher.get(web.origin + "/0")
    assert str(refused.value) == (
        f"{web.origin}/0 sent chatdesk on more than 5 redirects; it stopped."
    )


async def test_a_post_redirected_by_303_becomes_a_get_and_by_307_stays_a_post(
    web: FakeWeb,
) -> None:
    web.redirect("/see-other", "/landing", status=303)
    web.redirect("/temporary", "/landing", status=307)
    web.json("/landing", {"ok": True})
    fetcher = Fetcher(web_settings(web))
    headers = {"Content-Type": "application/json"}
    await fetcher.post(web.origin + "/see-other", b'{"query": "q"}', headers=headers)
    await fetcher.post(web.origin + "/temporary", b'{"query": "q"}', headers=headers)
    assert [(seen.method, seen.path, seen.body) for seen in web.seen] == [
        ("POST", "/see-other", b'{"query": "q"}'),
        ("GET", "/landing", b""),
        ("POST", "/temporary", b'{"query": "q"}'),
        ("POST", "/landing", b'{"query": "q"}'),
    ]


async def test_no_cookie_is_kept_and_a_key_is_not_sent_to_another_server(
    web: FakeWeb, other: FakeWeb
) -> None:
    other.page("/landing", "<p>elsewhere</p>")
    web.redirect("/far", f"http://localhost:{other.port}/landing")
    web.redirect("/near", "/far", **{"Set-Cookie": "session=abc; Path=/"})
    settings = web_settings(web, allow_private=f"localhost:{other.port}")
    page = await Fetcher(settings).get(web.origin + "/near", headers={"Authorization": "Bearer k"})
    assert page.body == b"<p>elsewhere</p>"
    near, far = web.seen
    assert near.headers["authorization"] == far.headers["authorization"] == "Bearer k"
    assert "cookie" not in far.headers
    [landing] = other.seen
    assert "authorization" not in landing.headers
    assert "cookie" not in landing.headers


async def test_a_page_that_never_answers_ends_at_the_time_limit(web: FakeWeb) -> None:
    url = web.route("/silent", hold=True)
    with pytest.raises(TimedOut) as late:
        await Fetcher(web_settings(web, timeout_seconds=1.0)).get(url)
    assert str(late.value) == (
        f"{url} did not answer within 1.0 s (timeout_seconds in the [web] settings)."
    )
    assert await asyncio.to_thread(web.disconnected.wait, WAIT)  # the request was given up


async def test_a_fetch_stopped_midway_lets_the_connection_go(web: FakeWeb) -> None:
    url = web.route("/silent", hold=True)
    fetching = asyncio.ensure_future(Fetcher(web_settings(web)).get(url))
    assert await asyncio.to_thread(web.holding.wait, WAIT)  # the request reached the server
    fetching.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fetching
    assert await asyncio.to_thread(web.disconnected.wait, WAIT)


async def test_a_page_that_drips_ends_at_the_time_limit_for_the_whole_request(
    web: FakeWeb,
) -> None:
    """Every read gets a byte, so only a limit on the whole request can end it."""
    url = web.route("/drip", drip=True, headers={"Content-Type": "text/html"})
    with pytest.raises(TimedOut):
        await Fetcher(web_settings(web, timeout_seconds=1.0)).get(url)
    assert await asyncio.to_thread(web.finished["/drip"].wait, WAIT)
    assert 0 < web.sent["/drip"] < 1_000_000


async def test_a_50_mb_page_is_cut_at_the_size_limit_without_reading_the_rest(
    web: FakeWeb,
) -> None:
    url = web.route("/huge", size=50 * MB, headers={"Content-Type": "text/html"})
    page = await Fetcher(web_settings(web, page_max_mb=1.0)).get(url)
    assert page.cut
    assert len(page.body) == MB
    assert page.body.startswith(b"<p>aaa")
    assert await asyncio.to_thread(web.finished["/huge"].wait, WAIT)
    assert web.sent["/huge"] < 20 * MB  # the limit, and what the sockets' buffers took


async def test_a_document_past_the_size_limit_is_refused_before_it_is_read(
    web: FakeWeb,
) -> None:
    url = web.route("/big.pdf", size=50 * MB, headers={"Content-Type": "application/pdf"})
    with pytest.raises(TooBig) as refused:
        await Fetcher(web_settings(web, page_max_mb=1.0)).get(url)
    assert str(refused.value) == (
        f"{url} is larger than 1.0 MB, the limit for a page (page_max_mb in the [web] settings)."
    )
    assert await asyncio.to_thread(web.finished["/big.pdf"].wait, WAIT)
    assert web.sent["/big.pdf"] < 20 * MB


async def test_a_compressed_page_is_unpacked_only_up_to_the_size_limit(web: FakeWeb) -> None:
    bomb = gzip.compress(b"<p>" + b"z" * (200 * MB))  # about 200 KB sent
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    url = web.route("/bomb", body=bomb, headers=headers)
    page = await Fetcher(web_settings(web, page_max_mb=1.0)).get(url)
    assert (page.cut, len(page.body)) == (True, MB)
    assert web.seen[0].headers["accept-encoding"] == "gzip"
    small = web.route("/small", body=gzip.compress(b"<p>hello</p>"), headers=headers)
    assert (await Fetcher(web_settings(web)).get(small)).body == b"<p>hello</p>"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)", "gopher://x/"]
)
async def test_only_http_and_https_are_read(url: str) -> None:
    with pytest.raises(NotWeb) as refused:
        await Fetcher(WebSettings()).get(url)
    assert "Only http:// and https:// addresses can be read" in str(refused.value)


async def test_a_redirect_to_a_local_file_is_refused(web: FakeWeb) -> None:
    url = web.redirect("/file", "file:///etc/passwd")
    with pytest.raises(NotWeb, match="not file:///etc/passwd"):
        await Fetcher(web_settings(web)).get(url)


async def test_an_error_status_is_said_with_the_page(web: FakeWeb) -> None:
    url = web.route("/gone", status=404, body=b"no such page")
    with pytest.raises(HttpStatus) as failed:
        await Fetcher(web_settings(web)).get(url)
    assert str(failed.value) == f"{url} answered with the error 404."


async def test_a_refused_connection_and_an_unknown_name_are_said() -> None:
    port = free_port()
    settings = web_settings(allow_private=f"127.0.0.1:{port}")
    with pytest.raises(Unreachable, match=r"chatdesk could not connect to 127\.0\.0\.1: "):
        await Fetcher(settings).get(f"http://127.0.0.1:{port}/")
    with pytest.raises(Unreachable) as unknown:
        await Fetcher(settings, resolver=Names()).get("https://no-such-site.example/")
    assert str(unknown.value) == (
        "The name no-such-site.example was not found. Check the address and the network."
    )


async def test_a_page_cut_off_midway_or_an_answer_that_is_not_http_is_said(
    web: FakeWeb,
) -> None:
    url = web.route("/cut", size=1000, headers={"Content-Length": "5000"})  # 4000 bytes short
    with pytest.raises(Unreachable) as cut:
        await Fetcher(web_settings(web)).get(url)
    assert str(cut.value).startswith(
        "The connection to 127.0.0.1 broke off before the answer was whole: "
    )
    garbage = socket.create_server(("127.0.0.1", 0))
    port = garbage.getsockname()[1]
    settings = web_settings(allow_private=f"127.0.0.1:{port}")
    try:
        fetching = asyncio.ensure_future(Fetcher(settings).get(f"http://127.0.0.1:{port}/"))
        client, _ = await asyncio.to_thread(garbage.accept)
        with client:
            client.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
            client.shutdown(socket.SHUT_WR)
            with pytest.raises(Unreachable, match="broke off before the answer was whole"):
                await fetching
    finally:
        garbage.close()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
async def test_ipv6_loopback_is_refused_unless_allowed() -> None:
    server = FakeWeb(host="::1").start()
    try:
        url = server.page("/", "<p>v6</p>")
        assert url == f"http://[::1]:{server.port}/"
        with pytest.raises(AddressRefused, match=rf"add \[::1\]:{server.port} to allow_private"):
            await Fetcher(WebSettings()).get(url)
        with pytest.raises(AddressRefused, match=r"::ffff:127\.0\.0\.1"):
            await Fetcher(WebSettings()).get(f"http://[::ffff:127.0.0.1]:{server.port}/")
        page = await Fetcher(web_settings(server)).get(url)
        assert (page.body, page.address) == (b"<p>v6</p>", "::1")
    finally:
        server.close()
