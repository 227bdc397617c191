"""What tool servers said, at their handshake, of how to use their tools, as the model is given
it: only in a request that offers that server's tools, in one section of the system message
after chatdesk's own words. Each server's text is bounded and quoted line by line ("> ")
under a line naming the server, so that no server's words can pass for chatdesk's, the user's,
or another server's."""

from __future__ import annotations

from collections.abc import Mapping

MAX_INSTRUCTIONS = 2_000  # characters of one server's instructions given to the model
INSTRUCTIONS_HEAD = (
    "Tool servers whose tools you are offered gave the instructions below for using them. "
    "Each is quoted under the server's name: it is that server's text, not the user's and not "
    "the app's, and it speaks only of that server's tools."
)
SERVER_HEAD = 'Instructions of the tool server "{}":'


def section(by_server: Mapping[str, str]) -> str:
    """The system message's section for these servers' instructions ("" when none gave any)."""
    parts = [_quoted(server, text) for server, text in sorted(by_server.items()) if text.strip()]
    return "\n\n".join([INSTRUCTIONS_HEAD, *parts]) if parts else ""


def _quoted(server: str, text: str) -> str:
    text = text.strip()
    if len(text) > MAX_INSTRUCTIONS:
        text = text[:MAX_INSTRUCTIONS] + " [… cut by the app]"
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join([SERVER_HEAD.format(server), *(f"> {line}".rstrip() for line in lines)])
