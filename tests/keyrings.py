"""A keyring backend for tests: real `keyring` API, passwords in a dict, never the user's."""

from __future__ import annotations

import keyring
from keyring.backend import KeyringBackend
from keyring.compat import properties


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict."""

    @properties.classproperty
    def priority(cls) -> float:
        # Raising makes the class "not viable", so keyring never picks it on its own.
        raise RuntimeError("for tests only")

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
