"""What the local API needs of `chatdesk.app.Core`. Described here, not imported, because the
API sits below `chatdesk.app` (see the import-linter contracts), as the window does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from chatdesk.core.config import Settings
    from chatdesk.core.paths import Paths
    from chatdesk.core.providers.manager import ProviderManager
    from chatdesk.core.search import Search
    from chatdesk.core.service import ChatService


class ApiConfig(Protocol):
    @property
    def paths(self) -> Paths: ...

    @property
    def settings(self) -> Settings: ...


class ApiCore(Protocol):
    @property
    def config(self) -> ApiConfig: ...

    @property
    def service(self) -> ChatService: ...

    @property
    def profiles(self) -> ProviderManager: ...

    @property
    def search(self) -> Search: ...


def core_of(connection: HTTPConnection) -> ApiCore:
    """The core the app was made with, for a route or a socket."""
    core: ApiCore = connection.app.state.core
    return core
