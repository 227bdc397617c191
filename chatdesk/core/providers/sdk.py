"""The openai SDK, imported on a worker thread the first time a provider or the search for
local servers needs it.

Its import runs the bodies of some hundreds of modules (its pydantic models): ~0.3 s on a quiet
machine, over a second on a busy one. On the event loop's thread, that long the window would
neither paint nor take a key, and a second start waiting for the running chatdesk's
acknowledgement (chatdesk/ui/desktop/instance.py) would wait as long. On a worker thread the
loop keeps its turns: the interpreter hands the lock over between the two threads every few
milliseconds. A caller then imports `openai` itself: a look-up in `sys.modules`.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import openai

_loaded: list[bool] = []  # once the SDK is imported whole (not while another thread imports it)


async def load_openai() -> None:
    """Import the openai SDK off the loop's thread (at once when it is already imported)."""
    if not _loaded:
        # two at once both wait here: the second thread's import waits for the first's
        await asyncio.to_thread(importlib.import_module, "openai")
        _loaded.append(True)


class MakesClient(Protocol):
    """A provider with an SDK client (openai_compat.py's), which this module sits under."""

    def client(self) -> openai.AsyncOpenAI: ...


async def ready_client(provider: MakesClient) -> openai.AsyncOpenAI:
    """`provider.client()`, the SDK imported first without holding the loop."""
    await load_openai()
    return provider.client()
