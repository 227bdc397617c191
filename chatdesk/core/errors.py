"""Expected failures: typed, with a message a user can act on.

Anything raised that is *not* a `ChatdeskError` is a bug and goes to the crash handler.
"""

from __future__ import annotations

from chatdesk.core.i18n import tr


class ChatdeskError(Exception):
    """A failure the user can understand and act on. `str(error)` is the message to show."""

    exit_code = 1


class InvalidRequest(ChatdeskError):
    """The caller asked for something that cannot be done as asked."""

    exit_code = 2


class NotFound(ChatdeskError):
    """A thread, message or project that does not exist (or no longer exists)."""


class Busy(ChatdeskError):
    """The thing is in use, e.g. a message that is still streaming."""


class Closed(ChatdeskError):
    """The chats a call was about were closed while it ran (a temporary chat left, chatdesk
    quitting): there is nothing left to read or write, and nothing for the user to do."""

    def __init__(self) -> None:
        super().__init__(tr("These chats were closed."))


def failure_reason(error: BaseException) -> str:
    """What to tell the user about work that failed out of their sight: a known failure says
    itself; anything else is a bug, named so, with its details in the log."""
    if isinstance(error, ChatdeskError):
        return str(error)
    return tr(
        "an unexpected error ({kind}: {error}); see the log", kind=type(error).__name__, error=error
    )
