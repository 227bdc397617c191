"""The tools an answer offers the model: those its chat has switched on, the web's for a research
run, and the memory's when memory is on for the chat and `[memory] offer_tools` says so ("asked":
when the question speaks of remembering or forgetting, so neither a model that takes no tools
nor the budget of every plain question pays for them). A server of the chat's that offers nothing
this time (signed out, switched off, failed to start) is announced (`ToolServersLeftOut`), so
the user learns the answer went on without it."""

from __future__ import annotations

from collections.abc import Callable

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.events import EventBus, ToolServersLeftOut
from chatdesk.core.config import Settings
from chatdesk.core.memory.retrieval import speaks_of_memory
from chatdesk.core.memory.service import Memories
from chatdesk.core.store.store import Store
from chatdesk.core.tools.model import MEMORY, WEB
from chatdesk.core.tools.service import Tools
from chatdesk.core.tools.toolbox import Offer
from chatdesk.core.views import MessageView


class Offers:
    def __init__(
        self,
        store: Store,
        settings: Callable[[], Settings],
        tools: Tools,
        memories: Memories | None,
        events: EventBus,
    ) -> None:
        self._store = store
        self._events = events
        self._settings = settings
        self._tools = tools
        self._memories = memories  # None: a temporary chat

    async def for_answer(self, answer: MessageView, *, research: bool = False) -> Offer | None:
        """The tools `answer` offers (None: none)."""
        servers = await self._store.read(lambda s: repo.thread_tools(s, answer.thread_id))
        if research:  # it searches and reads whether or not Web is on
            servers = sorted({*servers, WEB})
        elif await self._offers_memory(answer):
            servers = sorted({*servers, MEMORY})
        if not servers:
            return None
        offer = await self._tools.offer(servers)
        if offer.left_out:
            said = ToolServersLeftOut(answer.id, answer.thread_id, offer.left_out)
            self._events.publish(said)
        return offer

    async def _offers_memory(self, answer: MessageView) -> bool:
        when = self._settings().memory.offer_tools
        if self._memories is None or when == "never" or answer.parent_id is None:
            return False
        if when != "always":
            parent = answer.parent_id
            question = await self._store.read(lambda s: repo.message_row(s, parent).content)
            if not speaks_of_memory(question):
                return False
        return (await self._memories.switches(answer.thread_id)).on
