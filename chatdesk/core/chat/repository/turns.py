"""The one transaction that starts a turn: the user's message (if any) and the answer row to be
written, committed together before any provider is asked, so a refused turn leaves nothing behind
and an accepted one never loses the user's words."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, Uuid, bindparam, update
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository import drafts
from chatdesk.core.chat.repository.answers import reopen_answer
from chatdesk.core.chat.repository.attachments import add_attachments, with_attachments
from chatdesk.core.chat.repository.branches import Node, add_branch, find_node, new_message, node
from chatdesk.core.chat.repository.rows import (
    message_views,
    project_row,
    thread_copy,
    thread_row,
    thread_view,
)
from chatdesk.core.chat.repository.threads import new_thread
from chatdesk.core.errors import Busy, InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.kinds import Role, Status, TurnKind
from chatdesk.core.knowledge.repository import set_links
from chatdesk.core.memory.repository import switch
from chatdesk.core.store import changes
from chatdesk.core.store.models import Thread
from chatdesk.core.store.prepared import Prepared, connection_of
from chatdesk.core.views import DraftView, StartedTurn, TurnRequest
from chatdesk.core.words import own_words

if TYPE_CHECKING:  # budget reads the thread's project through this package
    from chatdesk.core.chat.budget import ThreadSetup

    Setup = Callable[..., ThreadSetup]  # (session, thread, provider=…, model=…)

_THREADS = cast(Table, Thread.__table__)


def start_turn(
    session: Session, now: datetime, turn: TurnRequest, owner: str, setup: Setup
) -> StartedTurn:
    """Commit what `turn` adds to its thread; the answer row is `pending`, owned by `owner`
    (this chatdesk process), with the provider and model `setup` chooses for the thread."""
    if turn.kind is TurnKind.CONTINUE:
        assert turn.thread_id is not None
        assert turn.target is not None
        thread = thread_row(session, turn.thread_id)
        reopened = reopen_answer(session, now, thread, turn.target, owner)
        return StartedTurn(None, reopened, thread_view(thread), False)
    created = turn.thread_id is None
    if turn.thread_id is None:
        thread = _new_thread(session, now, turn)
    else:  # saved below, by `_save_thread`
        thread = thread_copy(session, turn.thread_id)
        if turn.memory_off:  # off from this message on, with it: no answer starts with memory
            switch(session, Thread, thread.id, on=False)
    if turn.provider is not None or turn.model is not None:
        thread.provider = turn.provider or thread.provider
        thread.model = turn.model or thread.model
    chosen = [setup(session, thread, provider=p, model=m) for p, m in turn.compare] or [
        setup(session, thread)
    ]
    parent = _parent_for(session, thread, turn)
    if turn.text is not None:
        drafts.save(session, now, turn.thread_id, DraftView(""))  # sent: the draft is done
    first = thread.message_count == 0
    branch, answers = _new_messages(now, thread.id, parent, turn, chosen, owner)
    add_branch(session, thread, now, parent, [*branch, answers[0]], answers[1:])
    if branch and first and not thread.title_set_by_user:
        thread.title = provisional_title(turn.text or turn.attachments[0].name)
    ids = [row["id"] for row in (*branch, *answers)]
    if branch and turn.attachments:  # after the message: their parts refer to it
        add_attachments(session, now, ids[0], turn.attachments)
    if thread.project_id is not None:
        project_row(session, thread.project_id).last_chat_at = now
    session.flush()
    if not created:
        _save_thread(session, thread)
    views = message_views(session, ids)
    if turn.attachments:
        views = with_attachments(session, views)
    question, written = (views[0], views[1:]) if branch else (None, views)
    return StartedTurn(question, written[0], thread_view(thread), created, tuple(written[1:]))


def _new_thread(session: Session, now: datetime, turn: TurnRequest) -> Thread:
    thread = new_thread(session, now, turn.project_id, None, turn.assistant_id)
    thread.origin = turn.origin
    thread.memory_off = turn.memory_off
    if turn.tools is not None:  # chosen for this chat: instead of its project's
        thread.tools = sorted(set(turn.tools)) or None
    session.flush()
    if turn.knowledge:
        set_links(session, "thread_id", thread.id, turn.knowledge)
    return thread


def _new_messages(
    now: datetime,
    thread_id: uuid.UUID,
    parent: Node | None,
    turn: TurnRequest,
    chosen: Sequence[ThreadSetup],
    owner: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The turn's new rows: the user's message (if it has one), and the answer of each model
    `chosen`. A comparison's answers are siblings made in one go: the same parent and the same
    created_at, which is what marks them as one comparison. The first is the one shown."""
    place = (parent.id, parent.depth) if parent is not None else None
    branch = []
    if turn.text is not None:
        user = new_message(now, thread_id, place, Role.USER, Status.COMPLETE, turn.text)
        branch.append(user)
        place = (user["id"], user["depth"])
    answers = []
    for each in chosen:
        answer = new_message(
            now,
            thread_id,
            place,
            Role.ASSISTANT,
            Status.PENDING,
            provider=each.provider,
            model=each.model,
            owner=owner,
        )
        answer["agent"] = each.agent
        answers.append(answer)
    return branch, answers


# Every field a turn changes in a thread that was there before it (`add_branch` counts the
# messages and moves the branch's end): `_save_thread` writes these and no others.
_TURN_FIELDS = (
    "provider",
    "model",
    "title",
    "active_leaf_id",
    "message_count",
    "last_activity_at",
    "updated_at",
)
_SAVE_THREAD = Prepared(
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("thread", type_=Uuid()))
    .values({name: bindparam(name, type_=_THREADS.c[name].type) for name in _TURN_FIELDS})
)


def _save_thread(session: Session, thread: Thread) -> None:
    """Write what the turn changed in a thread read by `thread_copy`, which the session does
    not hold (one compiled statement rather than the ORM's unit of work)."""
    values = {name: getattr(thread, name) for name in _TURN_FIELDS}
    _SAVE_THREAD.run(connection_of(session), thread=thread.id, **values)
    changes.touched(session, "thread", [thread.id])


def _parent_for(session: Session, thread: Thread, turn: TurnRequest) -> Node | None:
    """Where the turn's first new message goes: below the branch's end for a new message,
    beside the target for an edit or a regeneration (below a question that has no answer)."""
    if turn.kind is TurnKind.SEND:
        leaf = find_node(session, thread.active_leaf_id) if thread.active_leaf_id else None
        if leaf is not None and not leaf.status.is_final:
            raise Busy(tr("an answer is still being written in this thread; stop it or wait"))
        return leaf
    assert turn.target is not None
    target = node(session, turn.target)
    if target.thread_id != thread.id:
        raise InvalidRequest(tr("that message belongs to another thread"))
    if turn.kind is TurnKind.REGENERATE and target.role is Role.USER:
        return target
    return find_node(session, target.parent_id) if target.parent_id else None


def provisional_title(text: str) -> str:
    """A new thread's title until it is named: the first words of the message's own text
    (a passage it quotes and asks about comes after)."""
    words = " ".join(own_words(text).split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"
