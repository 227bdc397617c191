"""API keys in the OS keyring, each bound to the origin it was entered for.

A key is stored under service "chatdesk" with the profile name as user name; the stored value
is a small JSON object that also records the origin (scheme://host[:port]) of the profile's
base URL at the time. If the profile later points somewhere else, the key is not handed out:
a key is never sent to a host it was not entered for.

Without a usable keyring (e.g. headless Linux without Secret Service) nothing is written
anywhere: `KeyStore.set` raises `NoKeyring` and the app can offer `SessionKeys`, which keeps
keys in memory for this session only. There is no plaintext-file fallback.

Every key loaded or stored is registered with the log redactor, so it never reaches a log.
"""

from __future__ import annotations

import contextlib
import enum
import ipaddress
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.logs import register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

_T = TypeVar("_T")

SERVICE = "chatdesk"
# Keys are bound to http(s) origins; the team sync password to its PostgreSQL server.
_DEFAULT_PORTS = {"http": 80, "https": 443, "postgresql": 5432}


class NoKeyring(ChatdeskError):
    """No system keyring can hold the key."""


class KeyringFailed(ChatdeskError):
    """The system keyring exists but refused the operation (locked, denied, broken)."""


class LookupReason(enum.Enum):
    FOUND = "found"
    MISSING = "no key is stored for this profile"
    ORIGIN_CHANGED = "the key was entered for a different host"
    UNREADABLE = "the stored key entry is not in a format chatdesk understands"
    UNAVAILABLE = "no system keyring is available"


@dataclass(frozen=True)
class KeyLookup:
    """The result of looking a key up: `key` is None unless `reason` is FOUND."""

    reason: LookupReason
    key: str | None = field(default=None, repr=False)
    stored_origin: str | None = None  # set when reason is ORIGIN_CHANGED

    @property
    def found(self) -> bool:
        return self.reason is LookupReason.FOUND


def origin_of(base_url: str) -> str:
    """`scheme://host[:port]` of a URL: lower-case, punycode host, default port dropped."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ChatdeskError(
            tr("A key can only be bound to an http://, https:// or postgresql:// host.")
        )
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise ChatdeskError(tr("The provider's base URL has an invalid host or port.")) from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


_SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")
_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".internal", ".home.arpa")


def is_local_host(host: str) -> bool:
    """This computer or the local network: loopback, private and link-local addresses,
    `localhost`, single-label names and the local-only suffixes (.local, .lan ...).

    Decided from the name alone, without a DNS lookup: a public name that resolves to a
    private address counts as public, which errs on the safe side.
    """
    host = host.strip().strip("[]").lower().rstrip(".")
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith(_LOCAL_SUFFIXES)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address in _SHARED_SPACE  # carrier-grade NAT and VPN meshes such as Tailscale
    )


def _match(stored_origin: str, key: str, origin: str) -> KeyLookup:
    register_secret(key)
    if stored_origin != origin_of(origin):
        return KeyLookup(LookupReason.ORIGIN_CHANGED, stored_origin=stored_origin)
    return KeyLookup(LookupReason.FOUND, key)


class KeyStore:
    """Keys in the system keyring. `origin` arguments may be an origin or a full base URL."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend
        self._reason: str | None = None
        self._resolved = False

    def __repr__(self) -> str:
        return f"KeyStore(service={SERVICE!r})"

    @property
    def available(self) -> bool:
        self._resolve()
        return self._reason is None

    @property
    def reason(self) -> str:
        """Why no keyring is usable; empty when one is."""
        self._resolve()
        return tr(self._reason) if self._reason else ""

    def lookup(self, profile_name: str, origin: str) -> KeyLookup:
        if not self.available:
            return KeyLookup(LookupReason.UNAVAILABLE)
        raw = self._call(lambda backend: backend.get_password(SERVICE, profile_name))
        if raw is None:
            return KeyLookup(LookupReason.MISSING)
        entry = _parse(raw)
        if entry is None:
            return KeyLookup(LookupReason.UNREADABLE)
        return _match(*entry, origin)

    def get(self, profile_name: str, origin: str) -> str | None:
        return self.lookup(profile_name, origin).key

    def set(self, profile_name: str, origin: str, key: str) -> None:
        register_secret(key)
        if not self.available:
            raise NoKeyring(
                tr(
                    "chatdesk cannot save the API key for {profile}: {reason}. "
                    "You can keep the key for this session only, or set the OPENAI_API_KEY "
                    "environment variable before starting chatdesk.",
                    profile=repr(profile_name),
                    reason=self.reason,
                )
            )
        value = json.dumps({"origin": origin_of(origin), "key": key})
        self._call(lambda backend: backend.set_password(SERVICE, profile_name, value))

    def delete(self, profile_name: str) -> None:
        """Forget the key; nothing to do if none is stored or there is no keyring."""
        if self.available:
            self._call(lambda backend: _delete_if_present(backend, profile_name))

    def _call(self, operation: Callable[[KeyringBackend], _T]) -> _T:
        from keyring.errors import KeyringError

        assert self._backend is not None
        try:
            return operation(self._backend)
        except KeyringError as error:
            raise KeyringFailed(
                tr(
                    "The system keyring refused the request ({kind}). "
                    "It may be locked; unlock it and try again.",
                    kind=type(error).__name__,
                )
            ) from error

    def _resolve(self) -> None:
        if self._resolved:
            return
        import keyring
        from keyring.backends import fail, null

        backend = self._backend or keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            self._reason = mark("no system keyring is available (for example no Secret Service)")
        elif isinstance(backend, null.Keyring):
            self._reason = mark("the system keyring is turned off (null backend)")
        self._backend, self._resolved = backend, True


def _delete_if_present(backend: KeyringBackend, profile_name: str) -> None:
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):  # nothing stored is what the caller wants
        backend.delete_password(SERVICE, profile_name)


def _parse(raw: str) -> tuple[str, str] | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    origin, key = entry.get("origin"), entry.get("key")
    if not isinstance(origin, str) or not isinstance(key, str) or not key:
        return None
    return origin, key


class SessionKeys:
    """Keys kept in memory for this session only; never written anywhere."""

    available = True
    reason = ""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SessionKeys({len(self._keys)} keys)"

    def lookup(self, profile_name: str, origin: str) -> KeyLookup:
        with self._lock:
            entry = self._keys.get(profile_name)
        if entry is None:
            return KeyLookup(LookupReason.MISSING)
        return _match(*entry, origin)

    def get(self, profile_name: str, origin: str) -> str | None:
        return self.lookup(profile_name, origin).key

    def set(self, profile_name: str, origin: str, key: str) -> None:
        register_secret(key)
        entry = (origin_of(origin), key)
        with self._lock:
            self._keys[profile_name] = entry

    def delete(self, profile_name: str) -> None:
        with self._lock:
            self._keys.pop(profile_name, None)
