"""The web tests' servers: a `FakeWeb` on 127.0.0.1, and settings that allow it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.core.settings_outside import WebSettings
from tests.core.web.web_server import FakeWeb

WAIT = 30.0  # upper bound for waiting on the server's thread; never reached when things work


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


def web_settings(*servers: FakeWeb, **changes: Any) -> WebSettings:
    """`[web]` with `servers` in allow_private (besides any it is given), and `changes`."""
    allowed = " ".join([changes.pop("allow_private", ""), *(server.allow for server in servers)])
    return dataclasses.replace(WebSettings(), allow_private=allowed.strip(), **changes)
