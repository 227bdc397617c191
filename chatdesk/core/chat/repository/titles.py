"""What naming a thread reads and writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat import attachments as attached
from chatdesk.core.chat.repository.attachments import attachment_texts
from chatdesk.core.chat.repository.rows import M, message_row, thread_view
from chatdesk.core.chat.titles import wants_title
from chatdesk.core.kinds import Origin
from chatdesk.core.store.models import Message, Role, Status, Thread
from chatdesk.core.views import (
    ThreadView,
)


@dataclass(frozen=True)
class TitleInputs:
    """What a model is shown to name a thread, and the title it may replace."""

    thread_id: uuid.UUID
    title: str
    question: str
    answer: str


def title_inputs(session: Session, answer_id: uuid.UUID) -> TitleInputs | None:
    """The first question and answer of the thread, if `answer` is its first complete answer
    and the user has not named the thread; otherwise None (no title is wanted)."""
    answer = session.get(Message, answer_id)
    if answer is None or answer.parent_id is None or answer.depth != 1:
        return None
    thread = session.get(Thread, answer.thread_id)
    if thread is None or thread.deleted_at is not None or thread.title_set_by_user:
        return None
    if thread.origin == Origin.API_ONCE:
        return None  # removed once answered: a title would be paid for and never read
    complete = session.scalar(
        select(func.count()).where(
            M.c.thread_id == thread.id,
            M.c.depth == 1,
            M.c.role == Role.ASSISTANT,
            M.c.status == Status.COMPLETE,
        )
    )
    if complete != 1:
        return None  # a regenerated first answer: the thread was named after the first one
    question = message_row(session, answer.parent_id)
    if not wants_title(question.content):
        return None  # the question is short enough to be the title as it is
    files = attachment_texts(session, [question.id])
    text = attached.for_model(question.content, files.get(question.id, ()))
    return TitleInputs(thread.id, thread.title, text, answer.content)


def retitle(
    session: Session, thread_id: uuid.UUID, expected: str, title: str, now: datetime
) -> ThreadView | None:
    """Set a generated title, unless the title is no longer `expected` (renamed meanwhile)
    or the user has named the thread; None when nothing changed."""
    thread = session.get(Thread, thread_id)
    if thread is None or thread.deleted_at is not None:
        return None
    if thread.title_set_by_user or thread.title != expected:
        return None
    thread.title = title
    thread.updated_at = now
    return thread_view(thread)
