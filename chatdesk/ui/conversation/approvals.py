"""The window's approver: a tool call that needs the user's decision waits on its card in the
conversation (Allow once / Always allow this tool / Deny; a memory's Keep / Edit / Don't keep)
until they pick, however long that takes; stopping the answer withdraws the question. A screen
reader is told that a call waits, and the status bar says so while the chat is not on screen."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence

from chatdesk.core.i18n import ntr
from chatdesk.core.tools.approval import ApprovalRequest, Choice, Edited


class WindowApprover:
    def __init__(self, say: Callable[[str], None], unsay: Callable[[str], None]) -> None:
        """`say(words)` tells the user a call waits; `unsay(words)` takes it back once they
        decided (the words stay if something else was said since)."""
        self._say = say
        self._unsay = unsay
        self._pending: dict[tuple[uuid.UUID, str], asyncio.Future[Choice | Edited]] = {}

    async def decide(self, requests: Sequence[ApprovalRequest]) -> Sequence[Choice | Edited]:
        loop = asyncio.get_running_loop()
        futures = []
        for request in requests:
            future: asyncio.Future[Choice | Edited] = loop.create_future()
            self._pending[request.message_id, request.call_id] = future
            futures.append(future)
        names = ", ".join(dict.fromkeys(r.tool.label for r in requests))
        waiting = ntr(
            "A tool call waits for your approval: {names}.",
            "{n} tool calls wait for your approval: {names}.",
            len(requests),
            names=names,
        )
        self._say(waiting)
        try:
            return list(await asyncio.gather(*futures))
        finally:
            self._unsay(waiting)
            for request in requests:
                self._pending.pop((request.message_id, request.call_id), None)

    def answer(self, message_id: object, call_id: str, choice: object) -> None:
        """The user picked on a card (`choice`: once, always or deny, or a memory's words as
        they edited them, `Edited`)."""
        assert isinstance(message_id, uuid.UUID)
        assert isinstance(choice, str | Edited)
        future = self._pending.get((message_id, call_id))
        if future is not None and not future.done():
            future.set_result(choice if isinstance(choice, Edited) else Choice(choice))
