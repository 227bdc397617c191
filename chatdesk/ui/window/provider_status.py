"""The status bar's word on the provider: while an answer is being written, what it is doing
(waiting for the model's first words, writing, rate limited); otherwise what the last request
to it showed (ready, offline, the key refused, rate limited, an error), with the reason in the
tooltip. "Ready" is said only when no answer is being written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.state import ProviderState

if TYPE_CHECKING:  # the core's events load with the core, after the first paint
    from chatdesk.core.chat.events import Event

_WORDS = {
    # translators: a provider's state in the status bar ("openai: ready")
    ProviderState.READY: mark("ready"),
    # translators: a provider's state in the status bar ("openai: offline")
    ProviderState.OFFLINE: mark("offline"),
    # translators: a provider's state in the status bar: it refused the key
    ProviderState.AUTH: mark("auth error"),
    # translators: a provider's state in the status bar: too many requests for now
    ProviderState.RATE_LIMITED: mark("rate limited"),
    # translators: a provider's state in the status bar ("openai: error")
    ProviderState.ERROR: mark("error"),
}


class ProviderStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        # translators: the provider's state in the status bar before any request
        super().__init__(tr("Ready"), parent)
        self.setObjectName("providerStatus")
        self.setAccessibleName(tr("Provider state"))
        self._idle = (self.text(), "", "")  # text, tooltip, state: shown when nothing is live
        # Answers being written, in the order they last changed: id -> (model, what it does).
        self._live: dict[object, tuple[str, str]] = {}

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat import events as ev

        match event:
            case ev.ProviderStateChanged(provider, state, detail):
                self.show_state(provider, state, detail)
            case ev.MessageAdded(message) | ev.AnswerContinued(message) if (
                message.role.value == "assistant" and not message.status.is_final
            ):
                self._doing(message.id, message.model or message.provider or "", _FIRST_WORDS)
            case ev.AnswerTextAppended(message_id) | ev.ToolCallStreaming(message_id):
                self._doing(message_id, None, _WRITING)
            case ev.AnswerWaiting(message_id):
                self._doing(message_id, None, _WAITING)
            case ev.AnswerRetrying(message_id):  # its reason is in the status line (notices)
                self._doing(message_id, None, _FIRST_WORDS)
            case ev.MessageFinished(message):
                self._live.pop(message.id, None)
                self._show()
            case _:
                pass

    def show_state(self, provider: str, state: ProviderState, detail: str) -> None:
        word = tr(_WORDS[state]) if state in _WORDS else state
        self._idle = (f"{provider}: {word}", detail, state)
        self._show()

    def _doing(self, message_id: object, model: str | None, doing: str) -> None:
        known = self._live.pop(message_id, None)
        if known is None and model is None:
            return  # an answer this window did not see start
        self._live[message_id] = (model if model is not None else known[0] if known else "", doing)
        self._show()

    def _show(self) -> None:
        if self._live:
            model, doing = list(self._live.values())[-1]
            text, tip, state = _live_words(model, doing), "", "busy"
        else:
            text, tip, state = self._idle
        self.setText(text)
        self.setToolTip(tip)
        self.setProperty("state", state)
        self.style().polish(self)


_FIRST_WORDS, _WRITING, _WAITING = "first-words", "writing", "waiting"


def _live_words(model: str, doing: str) -> str:
    if doing == _WRITING:
        # translators: the status bar while an answer streams ("gpt-4o: writing an answer…")
        return tr("{model}: writing an answer…", model=model)
    if doing == _WAITING:
        return f"{model}: {tr(_WORDS[ProviderState.RATE_LIMITED])}"
    # translators: the status bar after a question is sent, before the answer's first words
    return tr("{model}: waiting for the first words…", model=model)
