"""Purging tombstones for good: deleted threads, messages and summaries with what hangs off
them, the team's attachment files no message refers to any more, and the team's
`purged_below` raised so that older cursors sync from scratch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, LiteralString

from chatdesk.core.sync.server import schema
from chatdesk.core.sync.server.teams import Team

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

    Connection = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class PurgeReport:
    team: Team
    threads: int
    messages: int
    summaries: int
    revisions: int
    purged_below: int
    files: int = 0  # attachment files no message of the team refers to any more
    file_bytes: int = 0


def hlc_before(age: timedelta) -> str:
    """The time part of an HLC written `age` ago: tombstones with a smaller one are older."""
    moment = datetime.now().astimezone() - age
    return f"{int(moment.timestamp() * 1000):013d}"


# A tombstone old enough to go: by its deleted HLC's time, and/or by its server version.
_CHOSEN = (
    "deleted AND (%(cutoff)s::text IS NULL OR left(deleted_hlc, 13) < %(cutoff)s::text) "
    "AND (%(below)s::bigint IS NULL OR server_version < %(below)s::bigint)"
)
_PURGE: tuple[LiteralString, ...] = (
    "CREATE TEMP TABLE purge_threads ON COMMIT DROP AS "
    "SELECT id, server_version FROM chat.threads WHERE team_id = %(team)s AND " + _CHOSEN,
    "CREATE TEMP TABLE purge_roots ON COMMIT DROP AS "
    "SELECT id, server_version FROM chat.messages WHERE team_id = %(team)s AND " + _CHOSEN,
    """
    CREATE TEMP TABLE purge_messages ON COMMIT DROP AS
    WITH RECURSIVE doomed (id) AS (
        SELECT id FROM purge_roots
        UNION
        SELECT id FROM chat.messages
        WHERE team_id = %(team)s AND thread_id IN (SELECT id FROM purge_threads)
        UNION
        SELECT m.id FROM chat.messages m JOIN doomed d ON m.parent_id = d.id
        WHERE m.team_id = %(team)s
    )
    SELECT id FROM doomed
    """,
    "CREATE TEMP TABLE purge_summaries ON COMMIT DROP AS "
    "SELECT id, server_version, " + _CHOSEN + " AS root FROM chat.summaries "
    "WHERE team_id = %(team)s AND ((" + _CHOSEN + ") "
    "OR thread_id IN (SELECT id FROM purge_threads) "
    "OR covers_through_message_id IN (SELECT id FROM purge_messages))",
    """
    DELETE FROM chat.revisions
    WHERE team_id = %(team)s AND (
        (entity = 'thread' AND entity_id IN (SELECT id FROM purge_threads))
        OR (entity = 'message' AND entity_id IN (SELECT id FROM purge_messages))
        OR (entity = 'summary' AND entity_id IN (SELECT id FROM purge_summaries)))
    """,
    "DELETE FROM chat.summaries WHERE team_id = %(team)s "
    "AND id IN (SELECT id FROM purge_summaries)",
    # Replies and their parents go in one statement: the self-reference is checked at its end.
    "DELETE FROM chat.messages WHERE team_id = %(team)s AND id IN (SELECT id FROM purge_messages)",
    "DELETE FROM chat.threads WHERE team_id = %(team)s AND id IN (SELECT id FROM purge_threads)",
)
_HORIZON = """
UPDATE chat.team_clock
SET purged_below = greatest(purged_below, coalesce((
    SELECT max(server_version) + 1 FROM (
        SELECT server_version FROM purge_threads
        UNION ALL SELECT server_version FROM purge_roots
        UNION ALL SELECT server_version FROM purge_summaries WHERE root) AS roots), 0))
WHERE team_id = %(team)s
RETURNING purged_below
"""


# A file uploaded less than this long ago stays even when nothing refers to it yet.
FILES_GRACE = "1 hour"
# The files every message of the team refers to (its attachments and their thumbnails), then
# those that go: older than the grace, referred to by none. Run after the messages are purged.
_FILES: tuple[LiteralString, ...] = (
    """
    CREATE TEMP TABLE kept_files ON COMMIT DROP AS
    SELECT DISTINCT h.sha256 FROM chat.messages m
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(m.parts) = 'array' THEN m.parts ELSE '[]'::jsonb END) AS p(part)
    CROSS JOIN LATERAL (VALUES (p.part -> 'attachment' ->> 'sha256'),
                               (p.part -> 'attachment' ->> 'thumb')) AS h(sha256)
    WHERE m.team_id = %(team)s AND h.sha256 IS NOT NULL
    """,
    "DELETE FROM chat.files f WHERE f.team_id = %(team)s "
    "AND f.created_at < now() - %(grace)s::interval "
    "AND NOT EXISTS (SELECT 1 FROM kept_files k WHERE k.sha256 = f.sha256) "
    "RETURNING f.size",
)


def purge_team(
    connection: Connection, team: Team, cutoff: str | None, below: int | None
) -> PurgeReport:
    params = {"team": team.id, "cutoff": cutoff, "below": below}
    counts = [connection.execute(statement, params).rowcount for statement in _PURGE]
    row = connection.execute(_HORIZON, params).fetchone()
    gone = purge_files(connection, team) if schema.has_files(connection) else []
    return PurgeReport(
        team=team,
        revisions=counts[4],
        summaries=counts[5],
        messages=counts[6],
        threads=counts[7],
        purged_below=int(row[0]) if row else 0,
        files=len(gone),
        file_bytes=sum(gone),
    )


def purge_files(connection: Connection, team: Team, grace: str = FILES_GRACE) -> list[int]:
    """Delete the team's files no message refers to (uploaded more than `grace` ago); the
    size of each one deleted."""
    params = {"team": team.id, "grace": grace}
    connection.execute(_FILES[0], params)
    sizes = [int(row[0]) for row in connection.execute(_FILES[1], params).fetchall()]
    connection.execute("DROP TABLE kept_files")
    return sizes
