"""What leaves this machine when the team server says it should: the threads of a team this
user is no longer in (their unsent changes kept as refused, so the user sees what did not
arrive), and after a full resync the rows the server purged long after they were deleted."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.i18n import tr
from chatdesk.core.store.models import Message, Status, Summary, SyncField, SyncOp, SyncTeam, Thread
from chatdesk.core.sync.base import OpState, Team
from chatdesk.core.sync.record import APPLYING

if TYPE_CHECKING:
    from chatdesk.core.sync.apply import Applier


def update_teams(session: Session, teams: list[Team]) -> list[uuid.UUID]:
    """Record the teams the server lists; forget the ones it no longer does."""
    session.info[APPLYING] = True
    now = datetime.now(UTC)
    listed = {team.id: team for team in teams}
    for team in teams:
        row = session.get(SyncTeam, team.id)
        if row is None:
            session.add(SyncTeam(id=team.id, name=team.name, role=team.role, cursor=0, seen_at=now))
        else:
            row.name, row.role, row.seen_at = team.name, team.role, now
    gone = [row.id for row in session.scalars(select(SyncTeam)) if row.id not in listed]
    for team_id in gone:
        leave_team(session, team_id)
    return gone


def leave_team(session: Session, team_id: uuid.UUID) -> None:
    """Forget a team and the cursor of its pulls: if it comes back, it is pulled from scratch."""
    forget_team(session, team_id)
    session.execute(delete(SyncTeam).where(SyncTeam.id == team_id))


def forget_team(session: Session, team_id: uuid.UUID) -> None:
    """A team this user left: its threads leave this machine; its unsent ops are kept as
    refused, so the user can see what did not reach the team."""
    session.execute(
        update(SyncOp)
        .where(SyncOp.team_id == team_id, SyncOp.state == OpState.PENDING)
        .values(state=OpState.REJECTED, last_error=tr("you are no longer a member of this team"))
    )
    thread_ids = list(session.scalars(select(Thread.id).where(Thread.team_id == team_id)))
    forget_clocks(session, thread_ids)
    forget_sent_clocks(session, team_id)
    delete_threads(session, thread_ids)


def delete_threads(session: Session, thread_ids: Iterable[uuid.UUID]) -> None:
    for thread_id in thread_ids:
        ids = list(session.scalars(select(Message.id).where(Message.thread_id == thread_id)))
        session.execute(delete(Summary).where(Summary.thread_id == thread_id))
        repo.delete_messages(session, ids)
        session.execute(delete(Thread).where(Thread.id == thread_id))


def forget_clocks(session: Session, thread_ids: list[uuid.UUID]) -> None:
    for thread_id in thread_ids:
        session.execute(
            delete(SyncField).where(SyncField.entity == "thread", SyncField.entity_id == thread_id)
        )
        for model, entity in ((Message, "message"), (Summary, "summary")):
            ids = select(model.id).where(model.thread_id == thread_id)
            session.execute(
                delete(SyncField).where(SyncField.entity == entity, SyncField.entity_id.in_(ids))
            )


def forget_sent_clocks(session: Session, team_id: uuid.UUID) -> None:
    """The clocks of every row of the team this machine changed, its rows here or not. A
    message or summary deleted here is gone from its table but not from `sync_fields`: its
    clock says "deleted here". Were it kept, a delete the team never received (refused, as
    this user was out of the team) would hide the row for good once the team is back, and a
    pull from scratch would leave out a message the server still has."""
    changed = session.execute(
        select(SyncOp.entity, SyncOp.entity_id).where(SyncOp.team_id == team_id).distinct()
    ).all()
    by_entity: dict[str, list[uuid.UUID]] = {}
    for entity, entity_id in changed:
        by_entity.setdefault(entity, []).append(entity_id)
    for entity, ids in by_entity.items():
        for start in range(0, len(ids), 500):
            session.execute(
                delete(SyncField).where(
                    SyncField.entity == entity, SyncField.entity_id.in_(ids[start : start + 500])
                )
            )


def drop_unseen(
    session: Session, team_id: uuid.UUID, seen: dict[str, set[uuid.UUID]], applier: Applier
) -> None:
    """After a full resync: rows of the team the server no longer has were purged there (long
    deleted); they go here too, unless a local change to them is still waiting to be pushed."""
    pending = set(
        session.scalars(
            select(SyncOp.entity_id).where(
                SyncOp.team_id == team_id, SyncOp.state == OpState.PENDING
            )
        )
    )
    threads = set(session.scalars(select(Thread.id).where(Thread.team_id == team_id)))
    doomed = [t for t in threads - seen.get("thread", set()) - pending]
    forget_clocks(session, doomed)
    delete_threads(session, doomed)
    for thread_id in doomed:
        applier.applied.threads_deleted.add(thread_id)
    final = [Status.COMPLETE, Status.ERROR, Status.INTERRUPTED]  # unfinished answers stay
    query = (
        select(Message.id)
        .join(Thread, Thread.id == Message.thread_id)
        .where(Thread.team_id == team_id, Message.status.in_(final))
        .order_by(Message.depth)
    )
    messages = seen.get("message", set())
    for message_id in [m for m in session.scalars(query) if m not in messages | pending]:
        message = session.get(Message, message_id)
        if message is None:
            continue  # went with an ancestor just now
        thread = session.get(Thread, message.thread_id)
        assert thread is not None
        ids = repo.delete_branch(session, thread, message, applier.now)
        applier.applied.messages_deleted.setdefault(thread.id, []).extend(ids)
