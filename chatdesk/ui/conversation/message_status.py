"""A message's status line: what is happening to it (waiting, writing, failed, stopped, too
long to show whole) and the buttons that act on it (retry, continue, summarise …), made only
when a message first needs them, so a page of finished messages builds none."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton

from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.core.kinds import CallState, ChatErrorKind, Status
from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.units import format_size
from chatdesk.ui.conversation.formatter import SHOWN_CHARS
from chatdesk.ui.conversation.frame import status_label

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


class StatusLine:
    """The label and its buttons in one row; a button's click calls `act` with its action."""

    def __init__(self, act: Callable[[str], None]) -> None:
        self._act = act
        self.label = status_label()
        self.row = QHBoxLayout()
        self.row.setSpacing(6)
        self.row.addWidget(self.label, 1)
        self.buttons: dict[str, QPushButton] = {}

    def show(self, message: MessageView) -> None:
        status = message.status
        text = status_text(message)
        self.label.setText(text)
        self.label.setProperty("state", status.value)
        self.label.style().polish(self.label)
        self.label.setVisible(bool(text))
        too_long = message.error_type if status is Status.ERROR else None
        wanted = {
            "summarise": too_long == ErrorKind.CONVERSATION_TOO_LONG,
            "choose-model": too_long
            in (ErrorKind.CONVERSATION_TOO_LONG, ChatErrorKind.MESSAGE_TOO_LONG),
            "retry": status is Status.ERROR,
            "continue": status in (Status.INTERRUPTED, Status.ERROR) and bool(message.content),
            "regenerate": status is Status.INTERRUPTED,
        }
        if not self.buttons and not any(wanted.values()):
            return
        for name, button in (self.buttons or self._make_buttons()).items():
            button.setVisible(wanted[name])

    def _make_buttons(self) -> dict[str, QPushButton]:
        for name, text, description in STATUS_BUTTONS:
            button = self._button(tr(text), name, tr(description))
            self.buttons[name] = button
            self.row.addWidget(button)
        return self.buttons

    def _button(self, text: str, name: str, description: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.clicked.connect(lambda: self._act(name))
        return button


def status_text(message: MessageView) -> str:
    """What the status line says of `message` ("" when nothing)."""
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
