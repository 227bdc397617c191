from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.logs import RedactingFilter
from chatdesk.core.secrets import (
    SERVICE,
    KeyLookup,
    KeyringFailed,
    KeyStore,
    LookupReason,
    NoKeyring,
    SessionKeys,
    origin_of,
)
from tests.keyrings import MemoryKeyring

OPENAI = "https://api.openai.com/v1"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_key_round_trips_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set("openai", OPENAI, "test-key-0123456789")
    assert KeyStore().get("openai", "https://api.openai.com/v1/") == "test-key-0123456789"
    stored = json.loads(memory_keyring.passwords[SERVICE, "openai"])
    assert stored == {"origin": "https://api.openai.com", "key": "test-key-0123456789"}


def test_key_is_not_handed_out_for_another_host(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set("openai", OPENAI, "test-key-0123456789")
    lookup = store.lookup("openai", "https://evil.example/v1")
    assert lookup == KeyLookup(LookupReason.ORIGIN_CHANGED, stored_origin="https://api.openai.com")
    assert lookup.key is None
    assert store.get("openai", "http://api.openai.com/v1") is None  # scheme is part of origin
    assert store.get("openai", "https://api.openai.com:8443/v1") is None


def test_missing_and_unreadable_entries_say_so(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    assert store.lookup("nobody", OPENAI).reason is LookupReason.MISSING
    memory_keyring.passwords[SERVICE, "legacy"] = "bare-key-0123456789"
    assert store.lookup("legacy", OPENAI) == KeyLookup(LookupReason.UNREADABLE)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("HTTPS://API.OpenAI.com/v1", "https://api.openai.com"),
        ("https://api.openai.com:443/v1", "https://api.openai.com"),
        ("http://localhost:80/v1", "http://localhost"),
        ("http://localhost:11434/v1", "http://localhost:11434"),
        ("https://localhost:80", "https://localhost:80"),
        ("https://Bücher.example/api", "https://xn--bcher-kva.example"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("http://[::1]:8080/v1", "http://[::1]:8080"),
        ("https://api.openai.com", "https://api.openai.com"),
    ],
)
def test_origin_is_normalised(url: str, origin: str) -> None:
    assert origin_of(url) == origin
    assert origin_of(origin) == origin


@pytest.mark.parametrize("url", ["ftp://host", "not a url", "https://host:99999", "https://"])
def test_origin_of_rejects_what_cannot_be_bound(url: str) -> None:
    with pytest.raises(ChatdeskError):
        origin_of(url)


def test_punycode_and_unicode_hosts_share_a_key(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set("local", "https://Bücher.example/v1", "test-key-0123456789")
    assert store.get("local", "https://xn--bcher-kva.example:443") == "test-key-0123456789"


def test_delete_forgets_the_key_and_tolerates_nothing_stored(
    memory_keyring: MemoryKeyring,
) -> None:
    store = KeyStore()
    store.set("openai", OPENAI, "test-key-0123456789")
    store.delete("openai")
    assert store.lookup("openai", OPENAI).reason is LookupReason.MISSING
    assert not memory_keyring.passwords
    store.delete("openai")


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_nothing_is_stored_and_the_user_is_told_why() -> None:
    store = KeyStore()
    assert not store.available
    assert "no system keyring" in store.reason
    with pytest.raises(NoKeyring) as raised:
        store.set("openai", OPENAI, "test-key-0123456789")
    message = str(raised.value)
    assert "session" in message
    assert "OPENAI_API_KEY" in message
    assert "test-key-0123456789" not in message
    assert store.lookup("openai", OPENAI).reason is LookupReason.UNAVAILABLE
    store.delete("openai")  # nothing to delete, no error


def test_session_keys_live_in_memory_with_the_same_binding() -> None:
    keys = SessionKeys()
    keys.set("openai", OPENAI, "session-key-0123456789")
    assert keys.get("openai", "https://API.openai.com:443") == "session-key-0123456789"
    assert keys.lookup("openai", "https://evil.example").reason is LookupReason.ORIGIN_CHANGED
    assert "session-key" not in repr(keys)
    keys.delete("openai")
    assert keys.lookup("openai", OPENAI).reason is LookupReason.MISSING


def test_a_stored_key_never_reaches_a_log_record(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "canary-Zq7x93LmPw"  # no sk- prefix: only registration can catch it
    store = KeyStore()
    store.set("openai", OPENAI, canary)
    caplog.handler.addFilter(RedactingFilter())  # the filter setup_logging installs
    logger = logging.getLogger("tests.secrets")
    with caplog.at_level(logging.INFO, logger="tests.secrets"):
        logger.info("using key %s for %s", store.get("openai", OPENAI), OPENAI)
        try:
            raise RuntimeError(f"401 from server, key {canary} rejected")
        except RuntimeError:
            logger.exception("request failed")
    assert len(caplog.records) == 2
    assert canary not in caplog.text
    assert "[redacted]" in caplog.text
    assert canary not in repr(store)
    assert canary not in repr(store.lookup("openai", OPENAI))


def test_a_key_loaded_from_the_keyring_is_registered_for_redaction(
    memory_keyring: MemoryKeyring,
) -> None:
    from chatdesk.core.logs import redact

    canary = "loaded-canary-Vb5n8M"
    memory_keyring.passwords[SERVICE, "openai"] = json.dumps(
        {"origin": "https://api.openai.com", "key": canary}
    )
    assert redact(canary) == canary  # not yet loaded by chatdesk
    assert KeyStore().lookup("openai", "https://elsewhere.example").key is None
    assert redact(canary) == "[redacted]"  # loaded, even though not handed out


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")


def test_a_locked_keyring_is_a_typed_error_the_user_can_act_on() -> None:
    with pytest.raises(KeyringFailed, match="unlock it"):
        KeyStore(LockedKeyring()).get("openai", OPENAI)
