"""Text attached to user messages: what a message may carry, how a file becomes an attachment,
and how the model sees it (after the message text). Storing and reading them is
`repository/attachments.py`'s."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from chatdesk.core.chat.views import AttachmentInput
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.trust.files import read_regular

MAX_ATTACHMENTS = 20


def check(attachments: Sequence[AttachmentInput], limit_chars: int) -> None:
    """Refuse, before anything is written, what the message could not carry."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidRequest(f"at most {MAX_ATTACHMENTS} attachments per message; nothing was sent")
    for item in attachments:
        if len(item.text) > limit_chars:
            raise InvalidRequest(
                f"attachment {item.name!r} is {len(item.text):,} characters long; the limit is "
                f"{limit_chars:,} (setting chat.max_message_chars). Nothing was sent."
            )
        if "\x00" in item.text:
            raise InvalidRequest(f"attachment {item.name!r} is not text; nothing was sent")


def for_model(text: str, attached: Sequence[tuple[str, str]]) -> str:
    """The message as the model sees it: its text, then each attachment fenced by its name."""
    parts = [text]
    for name, body in attached:
        parts.append(f'<attachment name="{name}">\n{body}\n</attachment>')
    return "\n\n".join(parts)


MAX_FILE_BYTES = 8 * 1024 * 1024


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> AttachmentInput:
    """A dropped or chosen file as an attachment; run it off the GUI thread. Only UTF-8 text
    is accepted, with a clear reason otherwise (the model gets text, not bytes)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:  # said with its size before anything is read
            raise InvalidRequest(
                f"{path.name} is {size / 1024 / 1024:.1f} MB; files up to "
                f"{max_bytes // 1024 // 1024} MB can be attached"
            )
        data = read_regular(path, max_bytes)
    except OSError as error:
        raise InvalidRequest(f"cannot read {path.name}: {error.strerror or error}") from error
    if b"\x00" in data:
        raise InvalidRequest(f"{path.name} is not a text file; only text can be attached")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidRequest(f"{path.name} is not UTF-8 text; only text can be attached") from error
    return AttachmentInput(path.name, text, kind="file")
