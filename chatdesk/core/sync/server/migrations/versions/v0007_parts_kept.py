"""parts kept: a write never drops the parts of a message its writer could not read

A chatdesk of protocol 3 is sent an answer's parts without those of kinds it does not know
(`source`, migration 0005). When it then changes the answer (a Continue, say), it pushes the
parts it has, and last writer wins used to put them in place of the server's, so the answer's
sources were gone for the whole team. The same would happen to a kind added after protocol 4
once a chatdesk of protocol 4 changes such an answer.

Now `chat.part_kinds` says from which protocol on each kind is known, and a trigger on
`chat.messages` keeps, when a write changes a message's parts, every part the writer's
chatdesk could not have read: a part of a kind newer than the protocol that chatdesk claimed
(`chat.sync_clients`, by the node its content clock names), or of a kind the server does not
list. A writer whose node never claimed a protocol counts as the oldest, 2: it keeps the most.
Parts the writer could read are its own to keep, change or drop. No function changes its
arguments or its answers: chatdesks of protocol 2 to 4 sync as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
# Each part kind and the first protocol whose chatdesks read it (migration 0005's OLDER_KINDS
# are those of protocol 2 and 3).
KINDS = {
    "reasoning": 2,
    "attachment": 2,
    "tool_call": 2,
    "tool_result": 2,
    "error": 2,
    "source": 4,
}

KEEP = f"""
CREATE TABLE chat.part_kinds (
    kind text PRIMARY KEY,
    since_protocol int NOT NULL
);
INSERT INTO chat.part_kinds (kind, since_protocol) VALUES
    {", ".join(f"('{kind}', {since})" for kind, since in KINDS.items())};
REVOKE ALL ON chat.part_kinds FROM PUBLIC;
-- Read by the trigger only, which runs as the owner (see migration 0001's OWNER_POLICY).
CREATE POLICY owner_all ON chat.part_kinds TO chatdesk_owner USING (true) WITH CHECK (true);
ALTER TABLE chat.part_kinds ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat.part_kinds FORCE ROW LEVEL SECURITY;

-- The node is the HLC's last 32 hex digits; a clock of another shape (none: '') names none.
CREATE FUNCTION chat.keep_unread_parts() RETURNS trigger
    LANGUAGE plpgsql {DEFINER}
AS $$
DECLARE
    writer int;
BEGIN
    IF NEW.parts IS NOT DISTINCT FROM OLD.parts OR jsonb_typeof(OLD.parts) IS DISTINCT FROM 'array'
    THEN
        RETURN NEW;
    END IF;
    IF NEW.content_hlc ~ '^[0-9]+\\.[0-9]+\\.[0-9a-f]{{32}}$' THEN
        SELECT min(c.protocol) INTO writer FROM chat.sync_clients c
            WHERE c.node_id = right(NEW.content_hlc, 32)::uuid;
    END IF;
    writer := coalesce(writer, 2);
    NEW.parts := (CASE WHEN jsonb_typeof(NEW.parts) = 'array' THEN NEW.parts ELSE '[]' END)
        || coalesce((
            SELECT jsonb_agg(had.part ORDER BY had.n)
            FROM jsonb_array_elements(OLD.parts) WITH ORDINALITY AS had (part, n)
            WHERE coalesce((SELECT k.since_protocol FROM chat.part_kinds k
                            WHERE k.kind = had.part ->> 'kind'), 2147483647) > writer
              AND NOT EXISTS (
                  SELECT FROM jsonb_array_elements(
                      CASE WHEN jsonb_typeof(NEW.parts) = 'array' THEN NEW.parts ELSE '[]' END
                  ) AS given (part)
                  WHERE given.part ->> 'id' = had.part ->> 'id')
        ), '[]');
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION chat.keep_unread_parts() FROM PUBLIC;

CREATE TRIGGER keep_unread_parts BEFORE UPDATE ON chat.messages
    FOR EACH ROW EXECUTE FUNCTION chat.keep_unread_parts();
"""


def upgrade() -> None:
    op.execute(KEEP)


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
