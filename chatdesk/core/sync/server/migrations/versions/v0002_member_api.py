"""members reach the team's rows only through functions that check the team first (decision 0023)

Revision 0001 let members read and write the tables, with row-level security deciding which
rows. PostgreSQL evaluates a query's LEAKPROOF conditions (`=`, `<`, `starts_with`, `md5` …)
before a policy, so a member could make the server test their condition on another team's rows
and watch the cost of the policy checks that followed: another team's text, a character at a
time. Here members lose every privilege on the tables (but `sync_meta`, which holds the protocol
range and no team's data) and get one SECURITY DEFINER function per thing a client does. Each
takes the team as an argument, checks the caller's membership of it before anything else, and
then reads or writes only that team's rows with conditions of its own; no condition a member
writes is ever evaluated over a row of a team they are not in. Row-level security stays forced
on every table, as the second wall.

The client's own node keys (`sync_clients`) become per member: a node id someone else uses no
longer collides, so a collision says nothing.

Protocol 2: a client of protocol 1 reads the range and says "update chatdesk".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a client sends of each row (the author and the server version are the trigger's).
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
# Last writer wins per group of fields: each group's fields move together with its clock.
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
ENTITY = {"threads": "thread", "messages": "message", "summaries": "summary"}

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

KEYS = """
ALTER TABLE chat.sync_clients DROP CONSTRAINT sync_clients_pkey;
ALTER TABLE chat.sync_clients ADD PRIMARY KEY (member, node_id);
"""

# Membership first, touching only the caller's own membership rows: the same work for a team
# that exists and one made up, so the answer and its cost say nothing of other teams.
REQUIRE = f"""
CREATE FUNCTION chat.require_member(for_team uuid) RETURNS void
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    IF for_team IS NULL OR NOT chat.is_member(for_team) THEN
        RAISE EXCEPTION 'chatdesk: not a member of this team' USING ERRCODE = '42501';
    END IF;
END
$$;
"""

READS = f"""
CREATE FUNCTION chat.my_teams() RETURNS TABLE (id uuid, name text, role text)
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    RETURN QUERY SELECT t.id, t.name, m.role FROM chat.team_members m
        JOIN chat.teams t ON t.id = m.team_id
        WHERE m.member = chat.current_member() ORDER BY t.name;
END
$$;

-- No row (rather than an error) when not a member: a client that was just taken out of a team
-- finds nothing new there, and its next round forgets the team.
CREATE FUNCTION chat.team_version(for_team uuid)
    RETURNS TABLE (version bigint, purged_below bigint)
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    IF for_team IS NULL OR NOT chat.is_member(for_team) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.version, c.purged_below FROM chat.team_clock c
        WHERE c.team_id = for_team;
END
$$;

CREATE FUNCTION chat.pull_threads(for_team uuid, above bigint, through bigint)
    RETURNS SETOF chat.threads
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    RETURN QUERY SELECT * FROM chat.threads t
        WHERE t.team_id = for_team AND t.server_version > above AND t.server_version <= through
        ORDER BY t.id;
END
$$;

-- Parents first, a page at a time after (after_depth, after_id); `mine` is a LIKE pattern of
-- the caller's own clocks, whose messages it has already.
CREATE FUNCTION chat.pull_messages(
    for_team uuid, above bigint, through bigint, after_depth int, after_id uuid, mine text,
    page int
) RETURNS SETOF chat.messages
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    RETURN QUERY SELECT * FROM chat.messages m
        WHERE m.team_id = for_team AND m.server_version > above AND m.server_version <= through
          AND (m.depth, m.id) > (after_depth, after_id)
          AND NOT (m.created_hlc LIKE mine AND m.content_hlc LIKE mine
                   AND m.deleted_hlc LIKE mine)
        ORDER BY m.depth, m.id LIMIT least(greatest(page, 1), 10000);
END
$$;

CREATE FUNCTION chat.pull_summaries(
    for_team uuid, above bigint, through bigint, after_id uuid, page int
) RETURNS SETOF chat.summaries
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    RETURN QUERY SELECT * FROM chat.summaries s
        WHERE s.team_id = for_team AND s.server_version > above AND s.server_version <= through
          AND s.id > after_id
        ORDER BY s.id LIMIT least(greatest(page, 1), 10000);
END
$$;

-- Who wrote the value a row holds now (for the note of an edit that lost to it).
CREATE FUNCTION chat.revision_author(
    for_team uuid, of_entity text, of_id uuid, of_field text, of_hlc text
) RETURNS name
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
DECLARE
    found name;
BEGIN
    PERFORM chat.require_member(for_team);
    SELECT r.author INTO found FROM chat.revisions r
        WHERE r.team_id = for_team AND r.entity = of_entity AND r.entity_id = of_id
          AND r.field = of_field AND r.hlc = of_hlc;
    RETURN found;
END
$$;
"""

# One row as it is now, for the check whose edit was kept.
CURRENT = f"""
CREATE FUNCTION chat.{{entity}}_now(for_team uuid, row_id uuid) RETURNS SETOF chat.{{table}}
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    RETURN QUERY SELECT * FROM chat.{{table}} x WHERE x.team_id = for_team AND x.id = row_id;
END
$$;
"""

# A batch of rows as a JSON array of objects, each upserted with last-writer-wins per group.
# The stamp trigger checks the membership again, sets the author and the server version.
PUT = f"""
CREATE FUNCTION chat.put_{{table}}(batch jsonb) RETURNS void
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    r chat.{{table}};
    checked uuid;
BEGIN
    FOR r IN SELECT * FROM jsonb_populate_recordset(NULL::chat.{{table}}, batch) LOOP
        IF checked IS DISTINCT FROM r.team_id THEN
            PERFORM chat.require_member(r.team_id);
            checked := r.team_id;
        END IF;
        INSERT INTO chat.{{table}} AS t ({{columns}}) VALUES ({{values}})
            ON CONFLICT (team_id, id) DO UPDATE SET {{sets}} WHERE {{newer}};
    END LOOP;
END
$$;
"""

BURY = f"""
CREATE FUNCTION chat.bury_{{table}}(batch jsonb) RETURNS void
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    r record;
    checked uuid;
BEGIN
    FOR r IN SELECT * FROM jsonb_to_recordset(batch)
                 AS x (team_id uuid, id uuid, deleted_hlc text) LOOP
        IF checked IS DISTINCT FROM r.team_id THEN
            PERFORM chat.require_member(r.team_id);
            checked := r.team_id;
        END IF;
        UPDATE chat.{{table}} t SET deleted = true, deleted_hlc = r.deleted_hlc
            WHERE t.team_id = r.team_id AND t.id = r.id
              AND t.deleted_hlc COLLATE "C" < r.deleted_hlc COLLATE "C";
    END LOOP;
END
$$;
"""

WRITES = f"""
CREATE FUNCTION chat.put_revisions(batch jsonb) RETURNS void
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    r record;
    checked uuid;
BEGIN
    FOR r IN SELECT * FROM jsonb_to_recordset(batch)
                 AS x (team_id uuid, entity text, entity_id uuid, field text, hlc text,
                       value jsonb) LOOP
        IF checked IS DISTINCT FROM r.team_id THEN
            PERFORM chat.require_member(r.team_id);
            checked := r.team_id;
        END IF;
        INSERT INTO chat.revisions (team_id, entity, entity_id, field, hlc, value)
            VALUES (r.team_id, r.entity, r.entity_id, r.field, r.hlc, r.value)
            ON CONFLICT DO NOTHING;
    END LOOP;
END
$$;

-- A client's node: the last op it pushed (locked until the push commits). Only a login in some
-- team has one: a login in no team can do nothing here.
CREATE FUNCTION chat.claim_node(node uuid, speaks int) RETURNS bigint
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    me name := chat.current_member();
    last bigint;
BEGIN
    IF me IS NULL OR NOT EXISTS (SELECT FROM chat.team_members m WHERE m.member = me) THEN
        RAISE EXCEPTION 'chatdesk: this login is in no team' USING ERRCODE = '42501';
    END IF;
    INSERT INTO chat.sync_clients (member, node_id, protocol, first_seen, last_seen)
        VALUES (me, node, speaks, now(), now())
        ON CONFLICT (member, node_id) DO UPDATE SET protocol = EXCLUDED.protocol;
    SELECT c.last_op_seq INTO last FROM chat.sync_clients c
        WHERE c.member = me AND c.node_id = node FOR UPDATE;
    RETURN last;
END
$$;

CREATE FUNCTION chat.ack_node(node uuid, through bigint) RETURNS void
    LANGUAGE plpgsql {DEFINER}
AS $$
BEGIN
    UPDATE chat.sync_clients c SET last_op_seq = greatest(c.last_op_seq, through),
        last_seen = now()
        WHERE c.member = chat.current_member() AND c.node_id = node;
END
$$;
"""

API = (
    "chat.my_teams()",
    "chat.team_version(uuid)",
    "chat.pull_threads(uuid, bigint, bigint)",
    "chat.pull_messages(uuid, bigint, bigint, int, uuid, text, int)",
    "chat.pull_summaries(uuid, bigint, bigint, uuid, int)",
    "chat.revision_author(uuid, text, uuid, text, text)",
    "chat.thread_now(uuid, uuid)",
    "chat.message_now(uuid, uuid)",
    "chat.summary_now(uuid, uuid)",
    "chat.put_threads(jsonb)",
    "chat.put_messages(jsonb)",
    "chat.put_summaries(jsonb)",
    "chat.bury_threads(jsonb)",
    "chat.bury_messages(jsonb)",
    "chat.bury_summaries(jsonb)",
    "chat.put_revisions(jsonb)",
    "chat.claim_node(uuid, int)",
    "chat.ack_node(uuid, bigint)",
)

GRANTS = f"""
REVOKE ALL ON chat.teams, chat.team_members, chat.team_clock, chat.sync_clients, chat.threads,
    chat.messages, chat.summaries, chat.revisions FROM chatdesk_member;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA chat FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {", ".join(API)} TO chatdesk_member;
UPDATE chat.sync_meta SET min_protocol = 2, max_protocol = 2 WHERE id = 1;
"""


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
        values=", ".join(f"r.{name}" for name in columns),
        sets=", ".join(sets),
        newer=" OR ".join(newer),
    )


def upgrade() -> None:
    op.execute(KEYS)
    op.execute(REQUIRE)
    op.execute(READS)
    for table, entity in ENTITY.items():
        op.execute(CURRENT.format(entity=entity, table=table))
        op.execute(put(table))
        op.execute(BURY.format(table=table))
    op.execute(WRITES)
    op.execute(GRANTS)


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
