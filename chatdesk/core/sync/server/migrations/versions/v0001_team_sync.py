"""team sync: schema chat, row-level security, the stamp trigger, grants (decision 0018)

Runs as `chatdesk_owner` (env.py sets the role), inside the transaction of `chatdesk server
init`, after the roles and the empty schema exist (`admin.bootstrap`). Everything the contract
fixes is here: tables with keys that always include the team, the identity functions, the
trigger that stamps author and server version, policies per command, and the grants.

Revision ID: 0001
Revises:
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED = ("threads", "messages", "summaries", "revisions")
# Every table in chat, the version table included: all have RLS enabled and forced.
TABLES = (
    "sync_meta",
    "teams",
    "team_members",
    "team_clock",
    "sync_clients",
    *SYNCED,
    "alembic_version",
)

# HLCs compare as strings: their columns sort bytewise whatever the database's collation.
HLC = 'text COLLATE "C" NOT NULL'

CREATE_TABLES = f"""
CREATE TABLE chat.sync_meta (
    id smallint PRIMARY KEY CHECK (id = 1),
    min_protocol int NOT NULL,
    max_protocol int NOT NULL
);
INSERT INTO chat.sync_meta (id, min_protocol, max_protocol) VALUES (1, 1, 1);

CREATE TABLE chat.teams (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat.team_members (
    team_id uuid NOT NULL REFERENCES chat.teams (id),
    member name NOT NULL,
    role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, member)
);
CREATE INDEX team_members_member ON chat.team_members (member);

CREATE TABLE chat.team_clock (
    team_id uuid PRIMARY KEY REFERENCES chat.teams (id),
    version bigint NOT NULL DEFAULT 0,
    purged_below bigint NOT NULL DEFAULT 0
);

CREATE TABLE chat.sync_clients (
    node_id uuid PRIMARY KEY,
    member name NOT NULL,
    last_op_seq bigint NOT NULL DEFAULT 0,
    protocol int,
    first_seen timestamptz,
    last_seen timestamptz
);

CREATE TABLE chat.threads (
    team_id uuid NOT NULL REFERENCES chat.teams (id),
    id uuid NOT NULL,
    created_by name NOT NULL,
    created_at timestamptz NOT NULL,
    title text NOT NULL,
    title_hlc {HLC},
    system_prompt text,
    system_prompt_hlc {HLC},
    deleted boolean NOT NULL,
    deleted_hlc {HLC},
    server_version bigint NOT NULL,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE chat.messages (
    team_id uuid NOT NULL,
    id uuid NOT NULL,
    thread_id uuid NOT NULL,
    parent_id uuid,
    depth int NOT NULL,
    role text NOT NULL,
    author name NOT NULL,
    provider text,
    model text,
    created_at timestamptz NOT NULL,
    created_hlc {HLC},
    status text NOT NULL,
    content text NOT NULL,
    parts jsonb NOT NULL,
    completed_at timestamptz,
    prompt_tokens int,
    completion_tokens int,
    content_hlc {HLC},
    deleted boolean NOT NULL,
    deleted_hlc {HLC},
    server_version bigint NOT NULL,
    PRIMARY KEY (team_id, id),
    FOREIGN KEY (team_id, thread_id) REFERENCES chat.threads (team_id, id)
    -- No foreign key on (team_id, parent_id): its check is planned once per session, and on a
    -- team whose statistics still say "empty" PostgreSQL reads every message of the team for
    -- each insert, so sharing a long thread became quadratic. A parent that is missing (or in
    -- another thread) leaves the message hidden on every client; nothing crosses teams.
);

CREATE TABLE chat.summaries (
    team_id uuid NOT NULL,
    id uuid NOT NULL,
    thread_id uuid NOT NULL,
    covers_through_message_id uuid NOT NULL,
    author name NOT NULL,
    model text,
    created_at timestamptz NOT NULL,
    content text NOT NULL,
    token_count int NOT NULL,
    content_hlc {HLC},
    deleted boolean NOT NULL,
    deleted_hlc {HLC},
    server_version bigint NOT NULL,
    PRIMARY KEY (team_id, id),
    FOREIGN KEY (team_id, thread_id) REFERENCES chat.threads (team_id, id),
    FOREIGN KEY (team_id, covers_through_message_id) REFERENCES chat.messages (team_id, id)
);

CREATE TABLE chat.revisions (
    team_id uuid NOT NULL REFERENCES chat.teams (id),
    entity text NOT NULL CHECK (entity IN ('thread', 'message', 'summary')),
    entity_id uuid NOT NULL,
    field text NOT NULL,
    hlc {HLC},
    value jsonb,
    author name NOT NULL,
    server_version bigint NOT NULL,
    PRIMARY KEY (team_id, entity, entity_id, field, hlc)
);

CREATE INDEX threads_team_version ON chat.threads (team_id, server_version);
CREATE INDEX messages_team_version ON chat.messages (team_id, server_version);
CREATE INDEX messages_thread ON chat.messages (team_id, thread_id);
CREATE INDEX messages_parent ON chat.messages (team_id, parent_id);
CREATE INDEX summaries_team_version ON chat.summaries (team_id, server_version);
CREATE INDEX revisions_team_version ON chat.revisions (team_id, server_version);
"""

# Identity. `session_user` is who logged in; SET ROLE and SECURITY DEFINER change only
# current_user. A gateway (mode B, later) may name a member per transaction; nobody else can.
# Both functions run as the owner, with a pinned search_path, so no member-made object can
# stand in for what they read.
CREATE_FUNCTIONS = """
CREATE FUNCTION chat.current_member() RETURNS name
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN session_user = 'chatdesk_gateway'
                THEN nullif(current_setting('chatdesk.member', true), '')::name
                ELSE session_user END
$$;

CREATE FUNCTION chat.is_member(team uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM chat.team_members
                   WHERE team_id = team AND member = chat.current_member())
$$;

CREATE FUNCTION chat.announce() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('chatdesk', NEW.team_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER announce AFTER UPDATE ON chat.team_clock
    FOR EACH ROW EXECUTE FUNCTION chat.announce();
"""

# The stamp trigger, one function per table so that every field is read directly (a generic
# function over to_jsonb(NEW) cost twice as much per row). Per table: the author column, the
# key columns that never change, and every HLC column.
STAMPED = {
    "threads": ("created_by", ("team_id", "id"), ("title_hlc", "system_prompt_hlc", "deleted_hlc")),
    "messages": ("author", ("team_id", "id"), ("created_hlc", "content_hlc", "deleted_hlc")),
    "summaries": ("author", ("team_id", "id"), ("content_hlc", "deleted_hlc")),
    "revisions": ("author", ("team_id", "entity", "entity_id", "field", "hlc"), ("hlc",)),
}
# '' is "never written"; anything else must be a real HLC, or 'zzzz' would win every comparison.
HLC_PATTERN = r"^[0-9]{13}\.[0-9]{6}\.[0-9a-f]{32}$"

STAMP = """
CREATE FUNCTION chat.stamp_{table}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    me name := chat.current_member();
    horizon_ms bigint := floor(extract(epoch FROM now()) * 1000)::bigint + 86400000;
    stamped bigint;
BEGIN
    IF me IS NULL OR NOT chat.is_member(NEW.team_id) THEN
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

CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON chat.{table}
    FOR EACH ROW EXECUTE FUNCTION chat.stamp_{table}();
"""

HLC_CHECK = """
    IF (TG_OP = 'INSERT' OR NEW.{column} IS DISTINCT FROM OLD.{column}) AND NEW.{column} <> ''
       AND (CASE WHEN NEW.{column} ~ '{pattern}' THEN left(NEW.{column}, 13)::bigint > horizon_ms
                 ELSE true END)
    THEN
        RAISE EXCEPTION 'chatdesk: {column} is not an HLC at most a day ahead of the server'
            USING ERRCODE = '22023';
    END IF;"""


def stamp(table: str) -> str:
    author, keys, clocks = STAMPED[table]
    return STAMP.format(
        table=table,
        author=author,
        keys_changed=" OR ".join(f"NEW.{key} IS DISTINCT FROM OLD.{key}" for key in keys),
        hlc_checks="".join(HLC_CHECK.format(column=c, pattern=HLC_PATTERN) for c in clocks),
    )


MEMBER_POLICIES = """
CREATE POLICY member_select ON chat.sync_meta FOR SELECT TO chatdesk_member USING (true);
CREATE POLICY member_select ON chat.teams FOR SELECT TO chatdesk_member
    USING (chat.is_member(id));
CREATE POLICY member_select ON chat.team_members FOR SELECT TO chatdesk_member
    USING (chat.is_member(team_id));
CREATE POLICY member_select ON chat.team_clock FOR SELECT TO chatdesk_member
    USING (chat.is_member(team_id));
CREATE POLICY member_select ON chat.sync_clients FOR SELECT TO chatdesk_member
    USING (member = chat.current_member());
CREATE POLICY member_insert ON chat.sync_clients FOR INSERT TO chatdesk_member
    WITH CHECK (member = chat.current_member());
CREATE POLICY member_update ON chat.sync_clients FOR UPDATE TO chatdesk_member
    USING (member = chat.current_member()) WITH CHECK (member = chat.current_member());
"""

SYNCED_POLICIES = """
CREATE POLICY member_select ON chat.{table} FOR SELECT TO chatdesk_member
    USING (chat.is_member(team_id));
CREATE POLICY member_insert ON chat.{table} FOR INSERT TO chatdesk_member
    WITH CHECK (chat.is_member(team_id));
CREATE POLICY member_update ON chat.{table} FOR UPDATE TO chatdesk_member
    USING (chat.is_member(team_id)) WITH CHECK (chat.is_member(team_id));
"""

# FORCE makes the owner obey the policies too, and the SECURITY DEFINER functions and the
# trigger run as the owner: without this policy they would see no membership and no clock.
# Administrators are superusers or members of chatdesk_owner; members never are.
OWNER_POLICY = """
CREATE POLICY owner_all ON chat.{table} TO chatdesk_owner USING (true) WITH CHECK (true);
ALTER TABLE chat.{table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat.{table} FORCE ROW LEVEL SECURITY;
"""

GRANTS = """
REVOKE ALL ON SCHEMA chat FROM PUBLIC;
GRANT USAGE ON SCHEMA chat TO chatdesk_member;
REVOKE ALL ON ALL TABLES IN SCHEMA chat FROM PUBLIC;
GRANT SELECT ON chat.sync_meta, chat.teams, chat.team_members, chat.team_clock,
    chat.sync_clients, chat.threads, chat.messages, chat.summaries, chat.revisions
    TO chatdesk_member;
GRANT INSERT ON chat.threads, chat.messages, chat.summaries, chat.revisions, chat.sync_clients
    TO chatdesk_member;
GRANT UPDATE (title, title_hlc, system_prompt, system_prompt_hlc, deleted, deleted_hlc)
    ON chat.threads TO chatdesk_member;
GRANT UPDATE (status, content, parts, completed_at, prompt_tokens, completion_tokens,
              content_hlc, deleted, deleted_hlc)
    ON chat.messages TO chatdesk_member;
GRANT UPDATE (content, token_count, content_hlc, deleted, deleted_hlc)
    ON chat.summaries TO chatdesk_member;
GRANT UPDATE (last_op_seq, protocol, last_seen) ON chat.sync_clients TO chatdesk_member;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA chat FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE chatdesk_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chat.current_member(), chat.is_member(uuid) TO chatdesk_member;
"""


def upgrade() -> None:
    op.execute(CREATE_TABLES)
    op.execute(CREATE_FUNCTIONS)
    for table in SYNCED:
        op.execute(stamp(table))
    op.execute(MEMBER_POLICIES)
    for table in SYNCED:
        op.execute(SYNCED_POLICIES.format(table=table))
    for table in TABLES:
        op.execute(OWNER_POLICY.format(table=table))
    op.execute(GRANTS)


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
