"""Finding a model server already running on this computer: Ollama and LM Studio on their
usual ports, asked for their models through their OpenAI-compatible `/v1/models`.

Every server is asked at once and each answer is bounded (`BOUND_SECONDS`): a port nobody
listens on, or a program that accepts and never answers, is "none found" within the bound. It
runs on the caller's loop and never on start-up's path: the window asks when it offers to
connect a model.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from chatdesk.core.providers.catalogue import LOCAL, CatalogueEntry

if TYPE_CHECKING:
    import openai

log = logging.getLogger("chatdesk.provider")

BOUND_SECONDS = 1.5  # a server on this computer answers its model list well within this


@dataclass(frozen=True)
class LocalServer:
    entry: CatalogueEntry  # its base URL is the one that answered
    models: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.entry.name


async def find_local_servers(
    ports: Mapping[str, int] | None = None,
    *,
    entries: Sequence[CatalogueEntry] = LOCAL,
    bound: float = BOUND_SECONDS,
) -> list[LocalServer]:
    """The servers of `entries` that answer with a model list, in their order. `ports` puts
    an entry (by id) on another port of 127.0.0.1."""
    ports = ports or {}
    moved = [_on_port(entry, ports.get(entry.id)) for entry in entries]
    found = await asyncio.gather(*(_ask(entry, bound) for entry in moved))
    return [server for server in found if server is not None]


def _on_port(entry: CatalogueEntry, port: int | None) -> CatalogueEntry:
    if port is None:
        return entry
    parts = urlsplit(entry.base_url)
    moved = parts._replace(netloc=f"{parts.hostname}:{port}")
    return dataclasses.replace(entry, base_url=urlunsplit(moved))


async def _ask(entry: CatalogueEntry, bound: float) -> LocalServer | None:
    """The server's models, or None when nothing answers as a model server within `bound`."""
    client = await asyncio.to_thread(_client, entry, bound)
    import openai  # loaded by `_client`

    try:
        async with asyncio.timeout(bound):
            page = await client.models.list()
            ids = {model.id async for model in page}
    except (TimeoutError, openai.OpenAIError, ValueError, TypeError) as error:
        log.debug("no %s at %s: %s", entry.name, entry.base_url, type(error).__name__)
        return None
    finally:
        await client.close()
    return LocalServer(entry, tuple(sorted(i for i in ids if isinstance(i, str) and i)))


def _client(entry: CatalogueEntry, bound: float) -> openai.AsyncOpenAI:
    """A client of the SDK for `entry`, made on a worker thread, as everything it loads first:
    the SDK itself (up to a second: sdk.py), the certificates its HTTP client reads (tens of
    ms), and the modules of its model list (~10 ms). On the loop's thread that would be
    as long without a paint, a key, or a second start's acknowledgement."""
    import openai

    client = openai.AsyncOpenAI(
        api_key="none",  # local servers take any key
        base_url=entry.base_url,
        timeout=bound,
        max_retries=0,
        http_client=openai.DefaultAsyncHttpxClient(timeout=bound, follow_redirects=False),
    )
    client.models  # noqa: B018 (its modules load here)
    return client
