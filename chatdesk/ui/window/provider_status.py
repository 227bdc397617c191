"""The status bar's word on the provider: what the last request to it showed (ready, offline,
the key refused, rate limited, an error), with the reason in the tooltip."""

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

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import ProviderStateChanged

        if isinstance(event, ProviderStateChanged):
            self.show_state(event.provider, event.state, event.detail)

    def show_state(self, provider: str, state: ProviderState, detail: str) -> None:
        word = tr(_WORDS[state]) if state in _WORDS else state
        self.setText(f"{provider}: {word}")
        self.setToolTip(detail)
        self.setProperty("state", state)
        self.style().polish(self)
