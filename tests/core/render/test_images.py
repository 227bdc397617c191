"""Loading remote images on request: only http(s), only images, bounded, nothing leaked.

`fetch_image` runs against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.render import ImageFetchFailed, fetch_image, images
from chatdesk.core.render.image_sizes import image_info
from chatdesk.core.tools.service import Tools
from tests.core.render.test_features import PNG_1x1

GIF = b"GIF89a\x02\x00\x03\x00" + b"\x00" * 20
JPEG = (
    b"\xff\xd8"
    + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"  # APP0, 16 bytes
    + b"\xff\xc0\x00\x11\x08\x00\x20\x00\x40\x03"  # SOF0: 8 bit, height 32, width 64
    + b"\x00" * 12
)


def test_image_info_reads_png_gif_and_jpeg_sizes() -> None:
    png = image_info(PNG_1x1)
    assert png is not None
    assert (png.kind, png.width, png.height) == ("png", 1, 1)
    gif, jpeg = image_info(GIF), image_info(JPEG)
    assert gif is not None
    assert (gif.kind, gif.width, gif.height) == ("gif", 2, 3)
    assert jpeg is not None
    assert (jpeg.kind, jpeg.width, jpeg.height) == ("jpeg", 64, 32)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><body>not an image</body></html>",
        b"\x89PNG\r\n\x1a\n",  # truncated
        PNG_1x1[:16] + (100_000).to_bytes(4, "big") + (100_000).to_bytes(4, "big"),  # a bomb
        b"\xff\xd8\xff\xe0\x00\x02",  # a JPEG that ends before its size
        b"\xff\xd8" + b"\x00" * 50,
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    ],
)
def test_image_info_refuses_anything_else(data: bytes) -> None:
    assert image_info(data) is None


def test_wide_images_are_shown_at_column_width() -> None:
    wide = PNG_1x1[:16] + (2_000).to_bytes(4, "big") + (500).to_bytes(4, "big") + PNG_1x1[24:]
    info = image_info(wide)
    assert info is not None
    assert info.display_size() == (640, 160)


# -- fetching from a real server -----------------------------------------------------------------


class _Site:
    """What the test server serves, and what it saw."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        self.release = threading.Event()


def _handler_for(site: _Site) -> type[BaseHTTPRequestHandler]:
    routes = {
        "/ok.png": (200, {"Content-Type": "image/png"}, PNG_1x1),
        "/page": (200, {"Content-Type": "text/html"}, b"<html>hello</html>"),
        "/missing": (404, {}, b"no"),
        "/big.png": (200, {}, PNG_1x1 + b"\0" * 2_000),
        "/to-ok": (302, {"Location": "/ok.png"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/to-data": (302, {"Location": "data:image/png;base64,AAAA"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.headers.append(dict(self.headers))
            if self.path == "/slow.png":
                site.release.wait(timeout=30)
            status, headers, body = routes.get(self.path, (200, {}, PNG_1x1))
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, _Site]]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    served = _Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(served))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    served.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetches_an_image_without_cookies_or_referer(site: tuple[str, _Site]) -> None:
    base, served = site
    assert fetch_image(f"{base}/ok.png", allow_local_hosts=True) == PNG_1x1
    (headers,) = served.headers
    assert "Cookie" not in headers
    assert "Referer" not in headers
    assert headers["User-Agent"] == "chatdesk"


def test_follows_a_redirect_to_another_web_address(site: tuple[str, _Site]) -> None:
    base, _ = site
    assert fetch_image(f"{base}/to-ok", allow_local_hosts=True) == PNG_1x1


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/page", "not a PNG, JPEG or GIF"),
        ("/missing", "answered 404"),
        ("/to-file", "redirects to 'file:///etc/passwd'"),
        ("/to-data", "redirects to 'data:"),
        ("/loop", "redirects to '/loop'"),
    ],
)
def test_refuses_what_is_not_an_image_or_goes_elsewhere(
    site: tuple[str, _Site], path: str, message: str
) -> None:
    base, _ = site
    with pytest.raises(ImageFetchFailed, match=message) as raised:
        fetch_image(f"{base}{path}", allow_local_hosts=True)
    assert isinstance(raised.value, ChatdeskError)


def test_refuses_images_over_the_size_cap(site: tuple[str, _Site]) -> None:
    base, _ = site
    with pytest.raises(ImageFetchFailed, match="larger than 1,000 bytes"):
        fetch_image(f"{base}/big.png", max_bytes=1_000, allow_local_hosts=True)


def test_gives_up_on_a_server_that_does_not_answer(site: tuple[str, _Site]) -> None:
    base, served = site
    with pytest.raises(ImageFetchFailed, match=r"Could not load the image from 127\.0\.0\.1"):
        fetch_image(f"{base}/slow.png", timeout=0.2, allow_local_hosts=True)
    served.release.set()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "/dev/zero", "data:image/png;base64,AAAA", "ftp://x/a.png"]
)
def test_only_web_addresses_are_fetched(url: str) -> None:
    with pytest.raises(ImageFetchFailed, match="only from http or https"):
        fetch_image(url)


def test_connection_refused_is_a_clear_error() -> None:
    with pytest.raises(ImageFetchFailed, match=r"Could not load the image from 127\.0\.0\.1"):
        fetch_image("http://127.0.0.1:9/x.png", timeout=2, allow_local_hosts=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "http://localhost/x.png",
        "http://192.168.1.1/cgi-bin/reboot.png",
        "http://[::1]/x.png",
        "http://router.lan/x.png",
    ],
)
def test_images_from_this_computer_or_the_local_network_are_refused(url: str) -> None:
    with pytest.raises(ImageFetchFailed, match="local network"):
        fetch_image(url)


def test_a_redirect_into_the_local_network_is_refused() -> None:
    # Only the redirect step: a public first address cannot be served from a test.
    handler = images._WebRedirectsOnly(allow_local_hosts=False)
    request = urllib.request.Request("https://images.example.com/cat.png")
    with pytest.raises(ImageFetchFailed, match="local network"):
        handler.redirect_request(
            request, None, 302, "Found", http.client.HTTPMessage(), "https://192.168.1.1/reset"
        )


@pytest.mark.asyncio
async def test_the_windows_call_fetches_with_the_same_guard(
    site: tuple[str, _Site], tools: Tools
) -> None:
    """What the window asks (`Tools.fetch_image`, off the loop's thread) is `fetch_image` as
    the window always called it: an image on this computer is refused."""
    base, _served = site
    with pytest.raises(ImageFetchFailed):
        await tools.fetch_image(f"{base}/ok.png")
