"""How the local API the window serves stands, and what Preferences ▸ Local API asks of it
(`chatdesk/ui/window/local_api.py` serves it)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from chatdesk.core.errors import ChatdeskError


class Serving(enum.Enum):
    OFF = "off"
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"


@dataclass(frozen=True)
class ApiState:
    serving: Serving = Serving.OFF
    address: str = ""  # http://127.0.0.1:4315 while running (this computer's way to it)
    lan: bool = False  # other computers may reach it too
    error: str = ""  # why it could not start, in words


class ServedApi(Protocol):
    @property
    def state(self) -> ApiState: ...

    @property
    def key(self) -> str | None: ...  # None before it was first switched on

    @property
    def from_environment(self) -> bool: ...  # the key is CHATDESK_API_KEY's

    def follow(self, changed: Callable[[], object]) -> None: ...  # `state` or `key` changed

    def read_key(self) -> None: ...

    def rotate(self, failure: Callable[[ChatdeskError], object]) -> None: ...
