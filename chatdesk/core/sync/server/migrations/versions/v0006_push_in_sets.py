"""push in sets: a batch is one statement, and the stamp trigger's checks cost less a row

Sharing a long thread pushes thousands of messages, and the server spent ~95 µs on each
(decision 0024): `chat.put_*` upserted a batch row by row in a PL/pgSQL loop, and the stamp
trigger called `chat.is_member()` (a SECURITY DEFINER function that calls another) and matched
each HLC against a regular expression whose counted repetitions cost ~4 µs a match.

- `chat.put_threads/messages/summaries(jsonb)` check the caller's membership of every team the
  batch names first (`chat.require_member`, as before), then upsert the whole batch in one
  `INSERT … SELECT … ON CONFLICT` statement, last writer wins per group as before. A batch
  that names one row twice is applied row by row in its order, as before (one statement
  cannot update a row twice).
- The stamp trigger still runs for every row, as the second wall (decision 0023), and decides
  exactly what it decided: it reads the caller's membership row itself (the row
  `chat.is_member` reads, without two more function calls a row), and tests an HLC's shape
  with a LIKE (its length and its two dots) and a regular expression without counted
  repetitions, which together accept exactly the strings `^[0-9]{13}\\.[0-9]{6}\\.[0-9a-f]{32}$`
  accepts.

No function changes its arguments or its answers: chatdesks of protocol 2 to 4 sync as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

# What a client sends of each row (the author and the server version are the trigger's), and
# the groups of fields last writer wins decides on together, as migrations 0002 and 0004 set
# them. A message's `agent` is written once, with the message, and is in no group.
SENT = {
    "threads": (
        "team_id",
        "id",
        "created_at",
        "title",
        "title_hlc",
        "system_prompt",
        "system_prompt_hlc",
        "deleted",
        "deleted_hlc",
    ),
    "messages": (
        "team_id",
        "id",
        "thread_id",
        "parent_id",
        "depth",
        "role",
        "provider",
        "model",
        "created_at",
        "created_hlc",
        "status",
        "content",
        "parts",
        "completed_at",
        "prompt_tokens",
        "completion_tokens",
        "content_hlc",
        "deleted",
        "deleted_hlc",
        "agent",
    ),
    "summaries": (
        "team_id",
        "id",
        "thread_id",
        "covers_through_message_id",
        "model",
        "created_at",
        "content",
        "token_count",
        "content_hlc",
        "deleted",
        "deleted_hlc",
    ),
}
GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "threads": {
        "title_hlc": ("title",),
        "system_prompt_hlc": ("system_prompt",),
        "deleted_hlc": ("deleted",),
    },
    "messages": {
        "content_hlc": (
            "status",
            "content",
            "parts",
            "completed_at",
            "prompt_tokens",
            "completion_tokens",
        ),
        "deleted_hlc": ("deleted",),
    },
    "summaries": {"content_hlc": ("content", "token_count"), "deleted_hlc": ("deleted",)},
}

PUT = f"""
CREATE OR REPLACE FUNCTION chat.put_{{table}}(batch jsonb) RETURNS void
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    r chat.{{table}};
    team uuid;
    repeated boolean;
BEGIN
    FOR team IN SELECT DISTINCT x.team_id FROM jsonb_to_recordset(batch) AS x (team_id uuid)
    LOOP
        PERFORM chat.require_member(team);
    END LOOP;
    SELECT count(*) <> count(DISTINCT (x.team_id, x.id)) INTO repeated
        FROM jsonb_to_recordset(batch) AS x (team_id uuid, id uuid);
    IF repeated THEN
        FOR r IN SELECT * FROM jsonb_populate_recordset(NULL::chat.{{table}}, batch) LOOP
            INSERT INTO chat.{{table}} AS t ({{columns}}) VALUES ({{row_values}})
                {{upsert}};
        END LOOP;
    ELSE
        INSERT INTO chat.{{table}} AS t ({{columns}})
            SELECT {{batch_values}} FROM jsonb_populate_recordset(NULL::chat.{{table}}, batch) b
            {{upsert}};
    END IF;
END
$$;
"""

# As migration 0001 wrote it, but for how membership and an HLC's shape are tested.
STAMPED = {
    "threads": ("created_by", ("team_id", "id"), ("title_hlc", "system_prompt_hlc", "deleted_hlc")),
    "messages": ("author", ("team_id", "id"), ("created_hlc", "content_hlc", "deleted_hlc")),
    "summaries": ("author", ("team_id", "id"), ("content_hlc", "deleted_hlc")),
    "revisions": ("author", ("team_id", "entity", "entity_id", "field", "hlc"), ("hlc",)),
}
# 13 digits, a dot, 6 digits, a dot, 32 lower-case hex digits: the LIKE fixes the length and
# where the dots are, the expression that the rest are digits, then hex digits.
HLC_SHAPE = "_" * 13 + "." + "_" * 6 + "." + "_" * 32
HLC_CHARACTERS = r"^[0-9]+\.[0-9]+\.[0-9a-f]+$"

STAMP = """
CREATE OR REPLACE FUNCTION chat.stamp_{table}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me name := chat.current_member();
    horizon_ms bigint := floor(extract(epoch FROM now()) * 1000)::bigint + 86400000;
    stamped bigint;
BEGIN
    -- chat.is_member(NEW.team_id), read here.
    IF me IS NULL OR NOT EXISTS (SELECT FROM chat.team_members m
                                 WHERE m.team_id = NEW.team_id AND m.member = me) THEN
        RAISE EXCEPTION 'chatdesk: not a member of this team' USING ERRCODE = '42501';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF {keys_changed} THEN
            RAISE EXCEPTION 'chatdesk: a key cannot change' USING ERRCODE = '42501';
        END IF;
        NEW.{author} := OLD.{author};
    ELSE
        NEW.{author} := me;
    END IF;
{hlc_checks}
    -- One version per team per transaction: the rows of a push share it (a reader sees all of
    -- them or none), and the clock row is updated once per push instead of once per row, which
    -- would leave a dead version of it per row written. xmin says whether this transaction
    -- already moved the clock (a savepoint's writes have their own xid: they move it again).
    SELECT version INTO stamped FROM chat.team_clock
        WHERE team_id = NEW.team_id AND xmin::text::bigint = txid_current() % 4294967296;
    IF stamped IS NULL THEN
        UPDATE chat.team_clock SET version = version + 1 WHERE team_id = NEW.team_id
            RETURNING version INTO stamped;
    END IF;
    IF stamped IS NULL THEN
        RAISE EXCEPTION 'chatdesk: the team has no clock row' USING ERRCODE = '55000';
    END IF;
    NEW.server_version := stamped;
    RETURN NEW;
END
$$;
"""

HLC_CHECK = """
    IF (TG_OP = 'INSERT' OR NEW.{column} IS DISTINCT FROM OLD.{column}) AND NEW.{column} <> ''
       AND (CASE WHEN NEW.{column} LIKE '{shape}' AND NEW.{column} ~ '{characters}'
                 THEN left(NEW.{column}, 13)::bigint > horizon_ms
                 ELSE true END)
    THEN
        RAISE EXCEPTION 'chatdesk: {column} is not an HLC at most a day ahead of the server'
            USING ERRCODE = '22023';
    END IF;"""


def put(table: str) -> str:
    columns = SENT[table]
    sets = []
    newer = []
    for clock, fields in GROUPS[table].items():
        wins = f'EXCLUDED.{clock} COLLATE "C" > t.{clock} COLLATE "C"'
        newer.append(wins)
        for name in (*fields, clock):
            sets.append(f"{name} = CASE WHEN {wins} THEN EXCLUDED.{name} ELSE t.{name} END")
    return PUT.format(
        table=table,
        columns=", ".join(columns),
        row_values=", ".join(f"r.{name}" for name in columns),
        batch_values=", ".join(f"b.{name}" for name in columns),
        upsert=f"ON CONFLICT (team_id, id) DO UPDATE SET {', '.join(sets)} "
        f"WHERE {' OR '.join(newer)}",
    )


def stamp(table: str) -> str:
    author, keys, clocks = STAMPED[table]
    checks = "".join(
        HLC_CHECK.format(column=c, shape=HLC_SHAPE, characters=HLC_CHARACTERS) for c in clocks
    )
    return STAMP.format(
        table=table,
        author=author,
        keys_changed=" OR ".join(f"NEW.{key} IS DISTINCT FROM OLD.{key}" for key in keys),
        hlc_checks=checks,
    )


def upgrade() -> None:
    for table in STAMPED:
        op.execute(stamp(table))
    for table in SENT:
        op.execute(put(table))


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
