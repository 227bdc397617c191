"""A provider's state as the window's status bar shows it, apart from the providers' protocol:
the status bar is in the window's first frame, which does without the protocol's dataclasses
(~15 ms to import)."""

from __future__ import annotations

import enum


class ProviderState(enum.StrEnum):
    """What the last request to a provider showed, for the status bar."""

    READY = "ready"
    OFFLINE = "offline"  # it cannot be reached, does not answer or stopped sending
    AUTH = "auth"  # it refused the key, or the key may not use the model
    RATE_LIMITED = "rate_limited"  # too many requests for now, or the quota is used up
    ERROR = "error"  # anything else went wrong
