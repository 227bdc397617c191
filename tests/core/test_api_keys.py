"""The local API's key: made once, kept in the keyring, rotated, or set by the environment."""

from __future__ import annotations

import pytest

from chatdesk.core.api_keys import VARIABLE, ApiKeys
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.secrets import KeyStore, NoKeyring
from tests.keyrings import MemoryKeyring


def test_the_key_is_made_once_and_kept(memory_keyring: MemoryKeyring) -> None:
    keys = ApiKeys(KeyStore(), environ={})
    assert keys.current() is None
    made = keys.ensure()
    assert made.startswith("cdk-")
    assert len(made) > 40
    assert ApiKeys(KeyStore(), environ={}).ensure() == made  # another process reads the same


def test_rotating_replaces_the_key() -> None:
    keys = ApiKeys(KeyStore(), environ={})
    old = keys.ensure()
    new = keys.rotate()
    assert new != old
    assert keys.current() == new


def test_the_environment_sets_the_key_and_it_cannot_be_rotated_here() -> None:
    keys = ApiKeys(KeyStore(), environ={VARIABLE: "cdk-from-env"})
    assert keys.ensure() == "cdk-from-env"
    assert keys.from_environment
    with pytest.raises(InvalidRequest, match=VARIABLE):
        keys.rotate()


def test_without_a_keyring_the_user_is_told_to_set_the_variable() -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(NoKeyring, match=VARIABLE):
        ApiKeys(KeyStore(), environ={}).ensure()
