"""What a message's status line says and which of its buttons show, read from the message alone:
waiting, writing, waiting for an approval, failed or stopped, too long to show whole; retry,
continue, summarise, choose another model or regenerate. The line's label and buttons are the
message widget's own (message.py), made and kept by it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.core.kinds import CallState, ChatErrorKind, Status
from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.units import format_size
from chatdesk.ui.conversation.formatter import SHOWN_CHARS

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.views import MessageView

STATUS_BUTTONS = (  # action, label, what it does
    (
        "summarise",
        mark("Summarise and retry"),
        mark("Summarise the older messages, then ask again"),
    ),
    (
        "choose-model",
        mark("Choose another model"),
        mark("Pick a model with a larger context window"),
    ),
    ("retry", mark("Retry"), mark("Ask again for this answer")),
    # translators: a button under an answer that stopped: the model goes on writing it
    ("continue", mark("Continue"), mark("Let the model go on from here")),
    ("regenerate", mark("Regenerate"), mark("Write a new answer")),
)
STATUS_TEXT = {
    Status.PENDING: mark("Waiting for the model…"),
    Status.STREAMING: mark("Writing…"),
}


def status_text(message: MessageView) -> str:
    """What the status line says of `message` ("": nothing, the line hidden)."""
    status = message.status
    text = tr(STATUS_TEXT[status]) if status in STATUS_TEXT else ""
    if not status.is_final and any(c.state == CallState.WAITING for c in message.tool_calls):
        text = tr("Waiting for your approval of a tool call…")
    if status is Status.ERROR:
        text = tr("The answer failed: {why}", why=message.error_detail or message.error_type)
    elif status is Status.INTERRUPTED:
        # The core's reason is a whole sentence of its own ("Stopped before …").
        text = message.error_detail or tr("Stopped.")
    if len(message.content) > SHOWN_CHARS:
        size = format_size(len(message.content.encode("utf-8", "surrogatepass")))
        text = (text + " " if text else "") + ntr(
            "This message is {size}; the first {count} character is shown. Copy copies all of it.",
            "This message is {size}; the first {count} characters are shown. "
            "Copy copies all of it.",
            SHOWN_CHARS,
            size=size,
            count=number(SHOWN_CHARS),
        )
    return text


def status_actions(message: MessageView) -> dict[str, bool]:
    """Whether each button of `STATUS_BUTTONS` shows under `message`, by its action: Summarise
    when the conversation outgrew the model's context window, Choose another model then or when
    the message alone did, Retry after a failure, Continue after a stop or a failure that left
    words, Regenerate after a stop."""
    status = message.status
    too_long = message.error_type if status is Status.ERROR else None
    return {
        "summarise": too_long == ErrorKind.CONVERSATION_TOO_LONG,
        "choose-model": too_long
        in (ErrorKind.CONVERSATION_TOO_LONG, ChatErrorKind.MESSAGE_TOO_LONG),
        "retry": status is Status.ERROR,
        "continue": status in (Status.INTERRUPTED, Status.ERROR) and bool(message.content),
        "regenerate": status is Status.INTERRUPTED,
    }
