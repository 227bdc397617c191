"""team files: the bytes of attachments in shared threads, stored once per team and hash

A shared thread's attachment rows travel inside its messages' parts; their files (an image, its
thumbnail, a document) are stored here, once per team and SHA-256, so a teammate's chatdesk can
fetch them. Members reach them only through functions that check the team first, like every
other row (decision 0023): `chat.files_missing` says which of some hashes the team lacks,
`chat.put_file` stores one (checking that the bytes hash to their name, and that the team stays
within its `files_quota_bytes`, 1 GiB unless an administrator sets it), `chat.get_file` returns
one. Row-level security is forced on the table, as on every other.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"

TABLE = """
ALTER TABLE chat.teams ADD COLUMN files_quota_bytes bigint NOT NULL DEFAULT 1073741824
    CHECK (files_quota_bytes >= 0);
CREATE TABLE chat.files (
    team_id uuid NOT NULL REFERENCES chat.teams (id) ON DELETE CASCADE,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data bytea NOT NULL,
    size bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    PRIMARY KEY (team_id, sha256)
);
CREATE POLICY owner_all ON chat.files TO chatdesk_owner USING (true) WITH CHECK (true);
ALTER TABLE chat.files ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat.files FORCE ROW LEVEL SECURITY;
REVOKE ALL ON chat.files FROM PUBLIC, chatdesk_member;
"""

FUNCTIONS = f"""
CREATE FUNCTION chat.files_missing(for_team uuid, wanted text[]) RETURNS SETOF text
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    RETURN QUERY SELECT w FROM unnest(wanted) AS w
        WHERE NOT EXISTS (SELECT 1 FROM chat.files f WHERE f.team_id = for_team AND f.sha256 = w);
END
$$;

-- 'stored', 'known' (the team has it), or 'over quota' (nothing stored).
CREATE FUNCTION chat.put_file(for_team uuid, digest text, body bytea) RETURNS text
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    used bigint;
    allowed bigint;
BEGIN
    PERFORM chat.require_member(for_team);
    IF encode(sha256(body), 'hex') IS DISTINCT FROM digest THEN
        RAISE EXCEPTION 'chatdesk: the file does not hash to its name' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM chat.files WHERE team_id = for_team AND sha256 = digest) THEN
        RETURN 'known';
    END IF;
    -- The team's row locked: one upload at a time per team, so two cannot both pass the check.
    SELECT files_quota_bytes INTO allowed FROM chat.teams WHERE id = for_team FOR UPDATE;
    SELECT coalesce(sum(size), 0) INTO used FROM chat.files WHERE team_id = for_team;
    IF used + octet_length(body) > allowed THEN
        RETURN 'over quota';
    END IF;
    INSERT INTO chat.files (team_id, sha256, data, size, created_by)
        VALUES (for_team, digest, body, octet_length(body), chat.current_member())
        ON CONFLICT DO NOTHING;
    RETURN 'stored';
END
$$;

CREATE FUNCTION chat.get_file(for_team uuid, digest text) RETURNS bytea
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    RETURN (SELECT f.data FROM chat.files f WHERE f.team_id = for_team AND f.sha256 = digest);
END
$$;

REVOKE ALL ON FUNCTION chat.files_missing(uuid, text[]), chat.put_file(uuid, text, bytea),
    chat.get_file(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chat.files_missing(uuid, text[]), chat.put_file(uuid, text, bytea),
    chat.get_file(uuid, text) TO chatdesk_member;
"""


def upgrade() -> None:
    op.execute(TABLE)
    op.execute(FUNCTIONS)


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
