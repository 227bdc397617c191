"""What can go wrong reaching the web, each in words a user can act on."""

from __future__ import annotations

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import number, tr


class WebError(ChatdeskError):
    """A page or a search that could not be had."""


class NotWeb(WebError):
    """An address that is not http:// or https://."""

    exit_code = 2

    def __init__(self, url: str) -> None:
        super().__init__(tr("Only http:// and https:// addresses can be read, not {url}.", url=url))


class AddressRefused(WebError):
    """A server on this computer or a private network, not listed in `[web] allow_private`."""

    def __init__(self, host: str, address: str, why: str, allow: str) -> None:
        super().__init__(
            tr(
                "chatdesk does not reach {host} ({address}): it is {why}. If you trust this "
                "server, add {allow} to allow_private in the [web] settings.",
                host=host,
                address=address,
                why=tr(why),
                allow=allow,
            )
        )


class TooManyRedirects(WebError):
    def __init__(self, url: str, limit: int) -> None:
        super().__init__(
            tr(
                "{url} sent chatdesk on more than {limit} redirects; it stopped.",
                url=url,
                limit=limit,
            )
        )


class TimedOut(WebError):
    def __init__(self, url: str, seconds: float) -> None:
        super().__init__(
            tr(
                "{url} did not answer within {seconds} s (timeout_seconds in the [web] settings).",
                url=url,
                seconds=number(seconds, 1),
            )
        )


class TooBig(WebError):
    """A document past `[web] page_max_mb`: cut short, it could not be read."""

    def __init__(self, url: str, limit_mb: float) -> None:
        super().__init__(
            tr(
                "{url} is larger than {limit} MB, the limit for a page (page_max_mb in the "
                "[web] settings).",
                url=url,
                limit=number(limit_mb, 1),
            )
        )


class Unreachable(WebError):
    """The name did not resolve, or no connection could be made."""


def name_not_found(host: str) -> Unreachable:
    return Unreachable(
        tr("The name {host} was not found. Check the address and the network.", host=host)
    )


def no_connection(host: str, reason: str) -> Unreachable:
    return Unreachable(
        tr("chatdesk could not connect to {host}: {reason}", host=host, reason=reason)
    )


def broken_off(host: str, reason: str) -> Unreachable:
    return Unreachable(
        tr(
            "The connection to {host} broke off before the answer was whole: {reason}",
            host=host,
            reason=reason,
        )
    )


class HttpStatus(WebError):
    """The server answered with an error status (4xx, 5xx). `retry_after` is in seconds."""

    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(tr("{url} answered with the error {status}.", url=url, status=status))
        self.url, self.status, self.retry_after = url, status, retry_after


class EngineError(WebError):
    """A search engine that failed, refused or answered in a way chatdesk cannot read."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
