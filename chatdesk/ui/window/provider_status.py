"""The status bar's word on the provider: what the last request to it showed (ready, offline,
the key refused, rate limited, an error), with the reason in the tooltip."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:  # the core's events load with the core, after the first paint
    from chatdesk.core.chat.events import Event

_WORDS = {
    "ready": "ready",
    "offline": "offline",
    "auth": "auth error",
    "rate_limited": "rate limited",
    "error": "error",
}


class ProviderStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Ready", parent)
        self.setObjectName("providerStatus")
        self.setAccessibleName("Provider state")

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import ProviderStateChanged

        if isinstance(event, ProviderStateChanged):
            self.show_state(event.provider, event.state, event.detail)

    def show_state(self, provider: str, state: str, detail: str) -> None:
        self.setText(f"{provider}: {_WORDS.get(state, state)}")
        self.setToolTip(detail)
        self.setProperty("state", state)
        self.style().polish(self)
