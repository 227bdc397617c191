"""The artifact sandbox's rules: a page gets its own files and nothing else, the engine's
flags keep what the user gave, Chromium's sandbox is dropped only for root (decision 0102)."""

from __future__ import annotations

import pytest

from chatdesk.ui.artifacts.policy import (
    CHROMIUM_FLAGS,
    CONTENT_SECURITY_POLICY,
    Limits,
    engine_environment,
    navigation_allowed,
    request_allowed,
)


@pytest.mark.parametrize(
    ("scheme", "host"),
    [
        ("http", "127.0.0.1"),
        ("https", "example.com"),
        ("ws", "127.0.0.1"),
        ("file", ""),
        ("data", ""),
        ("blob", ""),
        ("artifact", "another"),
    ],
)
def test_a_page_loads_nothing_but_its_own_files(scheme: str, host: str) -> None:
    assert request_allowed("artifact", "a1", "a1")
    assert not request_allowed(scheme, host, "a1")


def test_a_page_is_opened_once_and_never_navigated_away() -> None:
    assert navigation_allowed("artifact", "a1", "a1", first=True)
    assert not navigation_allowed("artifact", "a1", "a1", first=False)
    assert not navigation_allowed("artifact", "another", "a1", first=True)
    assert not navigation_allowed("http", "127.0.0.1", "a1", first=True)


def test_the_policy_names_no_place_outside_the_artifact() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    for name in ("default-src", "connect-src", "frame-src", "worker-src", "form-action"):
        assert directives[name] == "'none'"
    assert not any(word in CONTENT_SECURITY_POLICY for word in ("http", "ws:", "*", "file:"))


def test_the_engine_keeps_the_users_flags_and_its_sandbox_unless_root() -> None:
    user = engine_environment("--lang=fr", as_root=False)
    assert user["QTWEBENGINE_CHROMIUM_FLAGS"].split() == ["--lang=fr", *CHROMIUM_FLAGS]
    assert "QTWEBENGINE_DISABLE_SANDBOX" not in user
    root = engine_environment("", as_root=True)
    assert root["QTWEBENGINE_CHROMIUM_FLAGS"].split() == list(CHROMIUM_FLAGS)
    assert root["QTWEBENGINE_DISABLE_SANDBOX"] == "1"


def test_a_renderer_is_stopped_past_either_limit() -> None:
    limits = Limits(seconds=5.0, memory_mb=512)
    assert limits.exceeded(4.9, 511 * 2**20) is None
    assert limits.exceeded(5.1, 100 * 2**20) == "time"
    assert limits.exceeded(0.1, 513 * 2**20) == "memory"
