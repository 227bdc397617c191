"""answer sources: a message's `source` parts reach only the chatdesks that can read them

Answers now carry the passages they were given as parts of kind `source` (decision 0028), and
a chatdesk of protocol 2 or 3 refuses a part whose kind it does not know, which would stop its
sync at the first such message. The server now speaks sync protocols 2 to 4: 4 reads every
part, and `chat.pull_messages` takes the caller's protocol as an eighth argument, `speaks`.
A chatdesk of protocol 2 or 3 calls it with seven, as it always has, and gets each message's
parts without those of kinds it does not know (`source`, and any kind added later); the rows
keep them, for protocol 4, whose chatdesks leave out any kind they do not know themselves.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
# The part kinds a chatdesk of protocol 3 (or 2) knows; it is sent only these.
OLDER_KINDS = ("reasoning", "attachment", "tool_call", "tool_result", "error")
# Lax mode: a `parts` value that is not an array is read as one element, never an error.
KNOWN_BEFORE_4 = "$[*] ? ({})".format(" || ".join(f'@.kind == "{kind}"' for kind in OLDER_KINDS))
OLD = "chat.pull_messages(uuid, bigint, bigint, int, uuid, text, int)"
NEW = "chat.pull_messages(uuid, bigint, bigint, int, uuid, text, int, int)"

# As migration 0002 wrote it, with the protocol; the conditions are the same for both answers.
WHERE = """m.team_id = for_team AND m.server_version > above AND m.server_version <= through
          AND (m.depth, m.id) > (after_depth, after_id)
          AND NOT (m.created_hlc LIKE mine AND m.content_hlc LIKE mine
                   AND m.deleted_hlc LIKE mine)
        ORDER BY m.depth, m.id LIMIT least(greatest(page, 1), 10000)"""
PULL = f"""
DROP FUNCTION {OLD};

-- Parents first, a page at a time after (after_depth, after_id); `mine` is a LIKE pattern of
-- the caller's own clocks, whose messages it has already. `speaks` is the caller's protocol:
-- one that does not say is 2 or 3, and is sent only the parts of kinds it knows.
CREATE FUNCTION chat.pull_messages(
    for_team uuid, above bigint, through bigint, after_depth int, after_id uuid, mine text,
    page int, speaks int DEFAULT 3
) RETURNS SETOF chat.messages
    LANGUAGE plpgsql STABLE {DEFINER}
AS $$
BEGIN
    PERFORM chat.require_member(for_team);
    IF speaks >= 4 THEN
        RETURN QUERY SELECT * FROM chat.messages m
            WHERE {WHERE};
    ELSE
        RETURN QUERY SELECT r.* FROM chat.messages m CROSS JOIN LATERAL jsonb_populate_record(
                m, jsonb_build_object('parts', jsonb_path_query_array(m.parts, '{KNOWN_BEFORE_4}'))
            ) r
            WHERE {WHERE};
    END IF;
END
$$;

REVOKE ALL ON FUNCTION {NEW} FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {NEW} TO chatdesk_member;
"""


def upgrade() -> None:
    op.execute(PULL)
    op.execute("UPDATE chat.sync_meta SET min_protocol = 2, max_protocol = 4 WHERE id = 1")


def downgrade() -> None:
    raise NotImplementedError("the team server's schema is never downgraded in place")
