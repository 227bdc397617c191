"""Research mode, as the window, the command line and the local API ask for it: one message
answered by a research run (research_run.py) within limits the user may set for it, the
`[web]` settings' otherwise. The run searches and reads whether or not Web is on for the chat;
its calls are held to the web's tools' policy like any others."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence

from chatdesk.core.chat.turns import Turns
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import number, tr
from chatdesk.core.views import AttachmentInput, ResearchLimits, Turn

MINUTES = (0.5, 60.0)
PAGES = (1, 200)


class Research:
    def __init__(
        self,
        turns: Turns,
        settings: Callable[[], Settings],
        check_tools: Callable[[Sequence[str]], None],
    ) -> None:
        self._turns = turns
        self._settings = settings
        self._check_tools = check_tools

    def limits(self, minutes: float | None = None, pages: int | None = None) -> ResearchLimits:
        """The `[web]` settings' limits, with those given instead; InvalidRequest for one out
        of bounds."""
        web = self._settings().web
        minutes = web.research_minutes if minutes is None else minutes
        pages = web.research_pages if pages is None else pages
        if not MINUTES[0] <= minutes <= MINUTES[1]:
            low, high = (number(m, 1) for m in MINUTES)
            raise InvalidRequest(
                tr("a research run takes {low} to {high} minutes", low=low, high=high)
            )
        if not PAGES[0] <= pages <= PAGES[1]:
            raise InvalidRequest(
                tr("a research run reads {low} to {high} pages", low=PAGES[0], high=PAGES[1])
            )
        return ResearchLimits(minutes, pages, web.research_parallel)

    async def send(
        self,
        thread_id: uuid.UUID | None,
        text: str,
        *,
        limits: ResearchLimits | None = None,
        attachments: Sequence[AttachmentInput] = (),
        project_id: uuid.UUID | None = None,
        tools: Sequence[str] | None = None,
        assistant_id: uuid.UUID | None = None,
        over_cap: bool = False,
        knowledge: Sequence[uuid.UUID] = (),
        provider: str | None = None,
        model: str | None = None,
        memory_off: bool = False,
    ) -> Turn:
        """Commit the message (in a new chat when `thread_id` is None, as `send_new` makes
        one) and start its answer as a research run within `limits` (the settings' when
        None). Stopping the answer (`ChatService.stop`) ends the searching and writes the
        report from what was read; stopping it again ends the report."""
        self._check_tools(tools or ())
        return await self._turns.send(
            thread_id,
            text,
            attachments,
            provider=provider,
            model=model,
            project_id=project_id,
            tools=tools,
            over_cap=over_cap,
            assistant_id=assistant_id,
            knowledge=knowledge,
            research=dataclasses.replace(limits or self.limits(), over_cap=over_cap),
            memory_off=memory_off,
        )
