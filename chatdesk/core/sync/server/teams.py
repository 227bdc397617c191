"""The teams on a server: found by name or id, and their clients woken when membership
changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.sync.server.errors import BadServerRequest

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

    Connection = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class Team:
    id: uuid.UUID
    name: str


def find_team(connection: Connection, given: str) -> Team:
    """A team by name, or by id."""
    row = connection.execute(
        "SELECT id, name FROM chat.teams WHERE name = %s OR id::text = lower(%s)",
        (given, given),
    ).fetchone()
    if row is None:
        raise BadServerRequest(
            tr("there is no team named {given} (see `chatdesk server status`)", given=repr(given))
        )
    return Team(uuid.UUID(str(row[0])), str(row[1]))


def all_teams(connection: Connection) -> list[Team]:
    rows = connection.execute("SELECT id, name FROM chat.teams ORDER BY name").fetchall()
    return [Team(uuid.UUID(str(row[0])), str(row[1])) for row in rows]


def announce(connection: Connection, team: Team) -> None:
    """Wake the team's clients (membership changed) without moving its version."""
    connection.execute(
        "UPDATE chat.team_clock SET version = version WHERE team_id = %s", (team.id,)
    )
