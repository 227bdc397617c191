"""answer agents: the name of the assistant each answer came from travels with the message

A message's `agent` is written once, with the message (like its provider and model), so it has
no clock of its own: `chat.put_messages` stores it on insert and never changes it after. The
server now speaks sync protocols 2 and 3 (3 sends and reads `agent`); chatdesks of protocol 2
go on syncing, without it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
INSERTED = (
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
)
# Last writer wins per group of fields, as migration 0002 set them; `agent` is in none.
GROUPS = {
    "content_hlc": (
        "status",
        "content",
        "parts",
        "completed_at",
        "prompt_tokens",
        "completion_tokens",
    ),
    "deleted_hlc": ("deleted",),
}


def _put_messages() -> str:
    sets, newer = [], []
    for clock, fields in GROUPS.items():
        wins = f'EXCLUDED.{clock} COLLATE "C" > t.{clock} COLLATE "C"'
        newer.append(wins)
        sets += [
            f"{name} = CASE WHEN {wins} THEN EXCLUDED.{name} ELSE t.{name} END"
            for name in (*fields, clock)
        ]
    return f"""
CREATE OR REPLACE FUNCTION chat.put_messages(batch jsonb) RETURNS void
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    r chat.messages;
    checked uuid;
BEGIN
    FOR r IN SELECT * FROM jsonb_populate_recordset(NULL::chat.messages, batch) LOOP
        IF checked IS DISTINCT FROM r.team_id THEN
            PERFORM chat.require_member(r.team_id);
            checked := r.team_id;
        END IF;
        INSERT INTO chat.messages AS t ({", ".join(INSERTED)})
            VALUES ({", ".join(f"r.{name}" for name in INSERTED)})
            ON CONFLICT (team_id, id) DO UPDATE SET {", ".join(sets)} WHERE {" OR ".join(newer)};
    END LOOP;
END
$$;
"""


def upgrade() -> None:
    op.execute("ALTER TABLE chat.messages ADD COLUMN agent text CHECK (length(agent) <= 100)")
    op.execute(_put_messages())
    op.execute("UPDATE chat.sync_meta SET min_protocol = 2, max_protocol = 3 WHERE id = 1")


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
