"""The local API's key: made on first enable, kept in the keyring, rotated on request.

`CHATDESK_API_KEY` in the environment sets it instead (headless use, tests); it then cannot be
rotated from chatdesk. The key is registered as a secret, so the logs never show it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Protocol

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.logs import register_secret
from chatdesk.core.secrets import NoKeyring

VARIABLE = "CHATDESK_API_KEY"
KEYRING_NAME = "chatdesk-local-api"  # the keyring entry, beside the provider profiles' keys
_ORIGIN = "http://127.0.0.1"  # the keyring binds a key to an origin; the API's own
_PREFIX = "cdk-"


class _Keys(Protocol):
    def get(self, profile_name: str, origin: str) -> str | None: ...

    def set(self, profile_name: str, origin: str, key: str) -> None: ...


class ApiKeys:
    """The key every request to the local API must present."""

    def __init__(self, keys: _Keys, environ: Mapping[str, str] | None = None) -> None:
        self._keys = keys
        self._environ = os.environ if environ is None else environ

    @property
    def from_environment(self) -> bool:
        return bool(self._environ.get(VARIABLE, "").strip())

    def current(self) -> str | None:
        """The key in use, or None before the API was first enabled."""
        key = self._environ.get(VARIABLE, "").strip() or self._keys.get(KEYRING_NAME, _ORIGIN)
        if key:
            register_secret(key)
        return key or None

    def ensure(self) -> str:
        """The key in use, made and kept in the keyring when there is none yet."""
        return self.current() or self._make()

    def rotate(self) -> str:
        """A new key in place of the old one, which stops working at once."""
        if self.from_environment:
            raise InvalidRequest(
                tr(
                    "The local API's key is set by {variable}; change it there.",
                    variable=VARIABLE,
                )
            )
        return self._make()

    def _make(self) -> str:
        key = _PREFIX + secrets.token_urlsafe(32)
        try:
            self._keys.set(KEYRING_NAME, _ORIGIN, key)  # registers it as a secret too
        except NoKeyring as error:
            raise NoKeyring(
                tr(
                    "chatdesk cannot keep the local API's key: there is no usable keyring. "
                    "Set {variable} to a key of your choosing before starting chatdesk.",
                    variable=VARIABLE,
                )
            ) from error
        return key
