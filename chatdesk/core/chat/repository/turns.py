"""The one transaction that starts a turn: the user's message (if any) and the answer row to be
written, committed together before any provider is asked, so a refused turn leaves nothing behind
and an accepted one never loses the user's words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from chatdesk.core.chat.kinds import Role, Status, TurnKind
from chatdesk.core.chat.repository import drafts
from chatdesk.core.chat.repository.answers import reopen_answer
from chatdesk.core.chat.repository.attachments import add_attachments, with_attachments
from chatdesk.core.chat.repository.branches import extend_branch, insert_message
from chatdesk.core.chat.repository.rows import (
    message_row,
    message_views,
    project_row,
    thread_row,
    thread_view,
)
from chatdesk.core.chat.repository.threads import new_thread
from chatdesk.core.chat.views import DraftView, StartedTurn, TurnRequest
from chatdesk.core.errors import Busy, InvalidRequest
from chatdesk.core.knowledge.repository import set_links
from chatdesk.core.store.models import Message, Thread

if TYPE_CHECKING:  # budget reads the thread's project through this package
    from chatdesk.core.chat.budget import ThreadSetup

    Setup = Callable[..., ThreadSetup]  # (session, thread, provider=…, model=…)


def start_turn(
    session: Session, now: datetime, turn: TurnRequest, owner: str, setup: Setup
) -> StartedTurn:
    """Commit what `turn` adds to its thread; the answer row is `pending`, owned by `owner`
    (this chatdesk process), with the provider and model `setup` chooses for the thread."""
    if turn.thread_id is None:
        thread = new_thread(session, now, turn.project_id, None, turn.assistant_id)
        if turn.tools is not None:  # chosen for this chat: instead of its project's
            thread.tools = sorted(set(turn.tools)) or None
        session.flush()
        if turn.knowledge:
            set_links(session, "thread_id", thread.id, turn.knowledge)
    else:
        thread = thread_row(session, turn.thread_id)
    created = turn.thread_id is None
    if turn.kind is TurnKind.CONTINUE:
        assert turn.target is not None
        reopened = reopen_answer(session, now, thread, turn.target, owner)
        return StartedTurn(None, reopened, thread_view(thread), created)
    if turn.provider is not None or turn.model is not None:
        thread.provider = turn.provider or thread.provider
        thread.model = turn.model or thread.model
    chosen = [setup(session, thread, provider=p, model=m) for p, m in turn.compare] or [
        setup(session, thread)
    ]
    parent = first_parent = _parent_for(session, thread, turn)
    user = None
    if turn.text is not None:
        # The draft goes first: its statement flushes what is pending, and nothing is yet, so
        # the new rows below go out in one flush at the end.
        drafts.save(session, now, turn.thread_id, DraftView(""))  # sent: the draft is done
        user = insert_message(session, now, thread, parent, Role.USER, Status.COMPLETE, turn.text)
        add_attachments(session, now, user.id, turn.attachments)
        if thread.message_count == 1 and not thread.title_set_by_user:
            thread.title = provisional_title(turn.text or turn.attachments[0].name)
        parent = user
    # A comparison's answers are siblings made in one go: the same parent and the same
    # created_at, which is what marks them as one comparison. The first is the one shown.
    answers = []
    for each in chosen:
        answer = insert_message(
            session,
            now,
            thread,
            parent,
            Role.ASSISTANT,
            Status.PENDING,
            provider=each.provider,
            model=each.model,
            owner=owner,
        )
        answer.agent = each.agent
        answers.append(answer)
    answer = answers[0]
    extend_branch(session, thread, first_parent, [m for m in (user, answer) if m is not None])
    if thread.project_id is not None:
        project_row(session, thread.project_id).last_chat_at = now
    session.flush()
    ids = [m.id for m in (user, *answers) if m is not None]
    views = message_views(session, ids)
    if turn.attachments:
        views = with_attachments(session, views)
    question, written = (views[0], views[1:]) if user else (None, views)
    return StartedTurn(question, written[0], thread_view(thread), created, tuple(written[1:]))


def _parent_for(session: Session, thread: Thread, turn: TurnRequest) -> Message | None:
    """Where the turn's first new message goes: below the branch's end for a new message,
    beside the target for an edit or a regeneration (below a question that has no answer)."""
    if turn.kind is TurnKind.SEND:
        leaf = session.get(Message, thread.active_leaf_id) if thread.active_leaf_id else None
        if leaf is not None and not leaf.status.is_final:
            raise Busy("an answer is still being written in this thread; stop it or wait")
        return leaf
    assert turn.target is not None
    target = message_row(session, turn.target)
    if target.thread_id != thread.id:
        raise InvalidRequest("that message belongs to another thread")
    if turn.kind is TurnKind.REGENERATE and target.role is Role.USER:
        return target
    return session.get(Message, target.parent_id) if target.parent_id else None


def provisional_title(text: str) -> str:
    """A new thread's title until it is named: its first words."""
    words = " ".join(text.split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"
