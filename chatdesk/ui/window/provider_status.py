"""The status bar's word on the provider: while an answer is being written, how far it has got
as the core says (connecting to the provider, waiting for the model's first words, writing,
rate limited; a research run's step, with the pages and minutes it has used of its limits);
otherwise what the last request to it showed (ready, offline, the key refused,
rate limited, an error), with the reason in the tooltip. "Ready" is said only when no answer
is being written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from chatdesk.core.i18n import isolated, mark, tr
from chatdesk.core.providers.state import ProviderState

if TYPE_CHECKING:  # the core's events and kinds load with the core, after the first paint
    from chatdesk.core.chat.events import Event
    from chatdesk.core.kinds import AnswerStage

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
        # Answers being written, in the order they last changed: id -> (its model, what the
        # status bar says of it: the words of the core's AnswerStage, or a rate limit's).
        self._live: dict[object, tuple[str, str]] = {}

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat import events as ev
        from chatdesk.core.kinds import AnswerStage

        match event:
            case ev.ProviderStateChanged(provider, state, detail):
                self.show_state(provider, state, detail)
            case ev.MessageAdded(message) | ev.AnswerContinued(message) if (
                message.role.value == "assistant" and not message.status.is_final
            ):  # its request is being made ready: on its way to the provider next
                words = live_words(AnswerStage.CONNECTING, message.provider, message.model)
                self._live.pop(message.id, None)
                self._live[message.id] = (message.model or "", words)
                self._show()
            case ev.AnswerStageChanged(message_id, _, stage, provider, model):
                self._doing(message_id, lambda _: live_words(stage, provider, model))
            case ev.ResearchProgressed() as research:  # its step, and what it used
                self._doing(research.message_id, lambda model: said(model, research.said()))
            case ev.AnswerWaiting(message_id):
                limited = tr(_WORDS[ProviderState.RATE_LIMITED])
                self._doing(message_id, lambda model: said(model, limited))
            case ev.MessageFinished(message):
                self._live.pop(message.id, None)
                self._show()
            case _:
                pass

    def show_state(self, provider: str, state: ProviderState, detail: str) -> None:
        word = tr(_WORDS[state]) if state in _WORDS else state
        self._idle = (said(provider, word), detail, state)
        self._show()

    def _doing(self, message_id: object, words: Callable[[str], str]) -> None:
        known = self._live.pop(message_id, None)
        if known is None:
            return  # an answer this window did not see start
        self._live[message_id] = (known[0], words(known[0]))
        self._show()

    def _show(self) -> None:
        if self._live:
            text, tip, state = list(self._live.values())[-1][1], "", "busy"
        else:
            text, tip, state = self._idle
        self.setText(text)
        self.setToolTip(tip)
        self.setProperty("state", state)
        self.style().polish(self)


def said(name: str, state: str) -> str:
    """ "openai: ready": a provider's or model's name and its state, the name kept in its own
    direction (a Latin name in an Arabic sentence keeps its colon on the right side)."""
    # translators: the status bar's provider or model and its state ("openai: ready")
    return tr("{name}: {state}", name=isolated(name), state=state)


def live_words(stage: AnswerStage, provider: str | None, model: str | None) -> str:
    """What the status bar says of an answer at `stage` (the core's AnswerStageChanged)."""
    from chatdesk.core.kinds import AnswerStage

    if stage is AnswerStage.CONNECTING:
        # translators: the status bar after a question is sent, before the provider answers
        return tr("Connecting to {provider}…", provider=provider or model or "")
    if stage is AnswerStage.WAITING:
        # translators: the status bar before the model's first words ("Waiting for gpt-4o…")
        return tr("Waiting for {model}…", model=model or provider or "")
    # translators: the status bar while an answer streams ("gpt-4o: writing an answer…")
    return tr("{model}: writing an answer…", model=model or provider or "")
