"""`chatdesk:` links from outside: what a web page, a script or another program may ask the
running chatdesk to do when the user opens one of them.

Two actions, nothing else:

- `chatdesk:new?prompt=…&assistant=…` — a new chat, its composer filled with the prompt (and
  answered by the assistant of that name, when there is one). It is never sent by itself: the
  user reads it and presses Enter. Leading and trailing blank lines are dropped (a prompt that
  ends in a newline is someone hoping the Enter is pressed for them).
- `chatdesk:open?thread=<id>` — that chat shown.

Both spellings a desktop hands over are taken (`chatdesk:new?…`, `chatdesk://new?…`). Anything
else is refused with a reason the window shows: another scheme (`file:`, `http:`), an unknown
action or parameter, a parameter given twice, a fragment, a link longer than `MAX_LINK_CHARS`,
a prompt longer than `MAX_PROMPT_CHARS`, text that is not UTF-8, and invisible characters — a
prompt may hold line breaks (encoded as `%0A` or `%0D%0A`), and no other control or format
character (tabs, NUL, bidirectional overrides, zero-width characters), so what the user reads
in the composer is what would be sent.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import number, tr

SCHEME = "chatdesk"
MAX_LINK_CHARS = 16_384  # as the desktop hands it over (percent-encoded)
MAX_PROMPT_CHARS = 8_000
MAX_ASSISTANT_CHARS = 200
_PARAMETERS = {"new": frozenset({"prompt", "assistant"}), "open": frozenset({"thread"})}
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class LinkRefused(InvalidRequest):
    """A `chatdesk:` link that chatdesk does not follow; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(tr("This link was not followed: {reason}", reason=reason))
        self.reason = reason


@dataclass(frozen=True)
class NewChat:
    """A new chat with `prompt` in its composer (unsent), answered by `assistant` (a name)."""

    prompt: str
    assistant: str | None = None


@dataclass(frozen=True)
class OpenChat:
    """The chat `thread` shown."""

    thread: uuid.UUID


AppLink = NewChat | OpenChat


def parse_app_link(url: str) -> AppLink:
    """What the link `url` asks for; raises LinkRefused with the reason otherwise."""
    if len(url) > MAX_LINK_CHARS:
        raise LinkRefused(
            tr("it is longer than {n} characters", n=number(MAX_LINK_CHARS)),
        )
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise LinkRefused(tr("it holds spaces or control characters that were not encoded"))
    parts = urlsplit(url)
    if parts.scheme.lower() != SCHEME:
        raise LinkRefused(tr("only chatdesk: links open chatdesk"))
    action = _action(parts.netloc, parts.path)
    if parts.fragment or "#" in url:
        raise LinkRefused(tr("it has a fragment (#…), which no chatdesk link has"))
    fields = _fields(parts.query, action)
    if action == "open":
        return OpenChat(_thread_id(fields.get("thread")))
    prompt = _checked_text(fields.get("prompt", ""), MAX_PROMPT_CHARS, lines=True)
    assistant = fields.get("assistant")
    if assistant is not None:
        assistant = _checked_text(assistant, MAX_ASSISTANT_CHARS, lines=False) or None
    return NewChat(prompt, assistant)


def _action(netloc: str, path: str) -> str:
    """`new` or `open`, from `chatdesk:new` or `chatdesk://new` (a trailing / allowed)."""
    if netloc and path.strip("/"):
        raise LinkRefused(tr("it names more than one action"))
    action = (netloc or path).strip("/").lower()
    if action not in _PARAMETERS:
        raise LinkRefused(
            tr("“{action}” is not something a link may ask chatdesk to do", action=action[:40])
        )
    return action


def _fields(query: str, action: str) -> dict[str, str]:
    """The link's parameters, each known to `action` and given once."""
    try:
        pairs = parse_qsl(
            query,
            keep_blank_values=True,
            strict_parsing=bool(query),
            errors="strict",
            max_num_fields=len(_PARAMETERS[action]),
        )
    except UnicodeDecodeError:
        raise LinkRefused(tr("its text is not UTF-8")) from None
    except ValueError:
        raise LinkRefused(tr("its parameters cannot be read")) from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name not in _PARAMETERS[action]:
            raise LinkRefused(tr("it has a parameter chatdesk does not know: {name}", name=name))
        if name in fields:
            raise LinkRefused(tr("it gives {name} twice", name=name))
        fields[name] = value
    return fields


def _thread_id(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        raise LinkRefused(tr("it does not name a chat (thread=…)")) from None


def _checked_text(text: str, limit: int, *, lines: bool) -> str:
    """`text` with its line breaks made `\\n` and its blank lines at either end dropped;
    refused when it is longer than `limit` or holds another invisible character."""
    if lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char in text:
        if char == "\n" and lines:
            continue
        if unicodedata.category(char) in _INVISIBLE:
            raise LinkRefused(
                tr("it holds an invisible character (U+{code})", code=f"{ord(char):04X}")
            )
    text = text.strip()
    if len(text) > limit:
        raise LinkRefused(tr("its text is longer than {n} characters", n=number(limit)))
    return text
