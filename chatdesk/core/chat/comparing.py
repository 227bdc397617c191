"""Comparing models: one message answered by two to four models at once, each answer a sibling
under the message, written in parallel (each provider's rate limits hold, any one can be
stopped alone). The answers of one comparison are made in one transaction, so they share their
parent and their `created_at`: that is all that marks them as one comparison, and export,
import, search and team sync need nothing new. The first is the branch shown until the user
continues with another, which also makes its model the chat's."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.threads import Threads
from chatdesk.core.chat.turns import Turns
from chatdesk.core.kinds import Role
from chatdesk.core.store.models import Message
from chatdesk.core.store.store import Store
from chatdesk.core.views import AttachmentInput, MessageView, ThreadView, Turn

M = Message.__table__.c


class Comparisons:
    def __init__(
        self,
        store: Store,
        turns: Turns,
        threads: Threads,
        check_tools: Callable[[Sequence[str]], None],
    ) -> None:
        self._store = store
        self._turns = turns
        self._threads = threads
        self._check_tools = check_tools

    async def send(
        self,
        thread_id: uuid.UUID | None,
        text: str,
        models: Sequence[tuple[str, str]],
        *,
        attachments: Sequence[AttachmentInput] = (),
        project_id: uuid.UUID | None = None,
        tools: Sequence[str] | None = None,
        assistant_id: uuid.UUID | None = None,
        over_cap: bool = False,
        knowledge: Sequence[uuid.UUID] = (),
        memory_off: bool = False,
    ) -> Turn:
        """Commit the message (in a new chat when `thread_id` is None, as `send_new` makes
        one, with its `knowledge` bases) and start one answer from each of `models`
        ((provider, model), 2 to 4): the turn's `answer` is the one shown, `others` the
        rest; each is given the chat's knowledge passages."""
        self._check_tools(tools or ())
        return await self._turns.send(
            thread_id,
            text,
            attachments,
            provider=None,
            model=None,
            project_id=project_id,
            tools=tools,
            over_cap=over_cap,
            assistant_id=assistant_id,
            compare=models,
            knowledge=knowledge,
            memory_off=memory_off,
        )

    async def answers_of(self, answer_id: uuid.UUID) -> list[MessageView]:
        """The answers of the comparison `answer_id` is one of, in the order they were asked
        for; just itself when it is not one."""
        return await self._store.read(lambda s: _compared(s, answer_id))

    async def continue_with(self, answer_id: uuid.UUID) -> ThreadView:
        """Go on from this answer: its branch is shown, and its model answers next."""
        answer = await self._threads.get_message(answer_id)
        await self._threads.switch_branch(answer_id)
        return await self._threads.update_thread(
            answer.thread_id, provider=answer.provider, model=answer.model
        )


def _compared(session: Session, answer_id: uuid.UUID) -> list[MessageView]:
    answer = repo.message_row(session, answer_id)
    if answer.role is not Role.ASSISTANT or answer.parent_id is None:
        return repo.message_views(session, [answer.id])
    query = select(M.id).where(
        M.thread_id == answer.thread_id,
        M.parent_id == answer.parent_id,
        M.role == Role.ASSISTANT,
        M.created_at == answer.created_at,
    )
    ids = sorted(session.scalars(query.order_by(M.id)))
    return repo.message_views(session, ids)
