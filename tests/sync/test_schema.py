"""The server schema is the contract (decision 0018), read from the catalogs as a member sees it."""

from __future__ import annotations

import psycopg

from tests.sync.conftest import Member, SyncDatabase

COLUMNS = {
    "alembic_version": ["version_num"],
    "sync_meta": ["id", "min_protocol", "max_protocol"],
    "part_kinds": ["kind", "since_protocol"],
    "teams": ["id", "name", "created_at", "files_quota_bytes"],
    "team_members": ["team_id", "member", "role", "added_at"],
    "team_clock": ["team_id", "version", "purged_below"],
    "sync_clients": ["node_id", "member", "last_op_seq", "protocol", "first_seen", "last_seen"],
    "threads": [
        "team_id",
        "id",
        "created_by",
        "created_at",
        "title",
        "title_hlc",
        "system_prompt",
        "system_prompt_hlc",
        "deleted",
        "deleted_hlc",
        "server_version",
    ],
    "messages": [
        "team_id",
        "id",
        "thread_id",
        "parent_id",
        "depth",
        "role",
        "author",
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
        "server_version",
        "agent",
    ],
    "summaries": [
        "team_id",
        "id",
        "thread_id",
        "covers_through_message_id",
        "author",
        "model",
        "created_at",
        "content",
        "token_count",
        "content_hlc",
        "deleted",
        "deleted_hlc",
        "server_version",
    ],
    "revisions": [
        "team_id",
        "entity",
        "entity_id",
        "field",
        "hlc",
        "value",
        "author",
        "server_version",
    ],
    "files": ["team_id", "sha256", "data", "size", "created_at", "created_by"],
}

# What a member may do, table by table: the contract's grants and nothing else.
ALL_READ = {"SELECT"}
# Members read the protocol range and nothing else of the tables: every row of a team is
# reached through a function that checks the team first (migration 0002).
TABLE_PRIVILEGES = {
    table: set()
    for table in (
        "alembic_version",
        "teams",
        "team_members",
        "team_clock",
        "sync_clients",
        "threads",
        "messages",
        "summaries",
        "revisions",
        "files",
        "part_kinds",
    )
} | {"sync_meta": ALL_READ}
UPDATABLE_COLUMNS: dict[str, set[str]] = {}
# What a client calls: every one a SECURITY DEFINER function with a pinned search_path.
MEMBER_API = sorted(
    [
        "chat.ack_node(uuid,bigint)",
        "chat.bury_messages(jsonb)",
        "chat.bury_summaries(jsonb)",
        "chat.bury_threads(jsonb)",
        "chat.claim_node(uuid,integer)",
        "chat.current_member()",
        "chat.files_missing(uuid,text[])",
        "chat.get_file(uuid,text)",
        "chat.put_file(uuid,text,bytea)",
        "chat.is_member(uuid)",
        "chat.message_now(uuid,uuid)",
        "chat.my_teams()",
        "chat.pull_messages(uuid,bigint,bigint,integer,uuid,text,integer,integer)",
        "chat.pull_summaries(uuid,bigint,bigint,uuid,integer)",
        "chat.pull_threads(uuid,bigint,bigint)",
        "chat.put_messages(jsonb)",
        "chat.put_revisions(jsonb)",
        "chat.put_summaries(jsonb)",
        "chat.put_threads(jsonb)",
        "chat.revision_author(uuid,text,uuid,text,text)",
        "chat.summary_now(uuid,uuid)",
        "chat.team_version(uuid)",
        "chat.thread_now(uuid,uuid)",
    ]
)
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def _member(sync_db: SyncDatabase) -> Member:
    return sync_db.team("red", ["alice"]).members["alice"]


def test_the_tables_and_columns_are_the_contract(sync_db: SyncDatabase) -> None:
    with sync_db.connect_admin() as connection:
        rows = connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'chat' ORDER BY table_name, ordinal_position"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(str(table), []).append(str(column))
    assert found == COLUMNS


def test_every_table_in_chat_has_row_level_security_enabled_and_forced(
    sync_db: SyncDatabase,
) -> None:
    with _member(sync_db).connect() as connection:
        rows = connection.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity, relkind FROM pg_class "
            "WHERE relnamespace = 'chat'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'f')"
        ).fetchall()
    assert {str(row[0]) for row in rows} == set(COLUMNS)  # no views, nothing unlisted
    assert [row for row in rows if not (row[1] and row[2]) or row[3] != "r"] == []


def test_a_member_is_not_owner_superuser_or_bypassrls(sync_db: SyncDatabase) -> None:
    with _member(sync_db).connect() as connection:
        role = connection.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication, "
            "pg_has_role(current_user, 'chatdesk_owner', 'MEMBER') "
            "FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        owned = connection.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
        ).fetchone()
        owners = connection.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class "
            "WHERE relnamespace = 'chat'::regnamespace"
        ).fetchall()
    assert role == (False, False, False, False, False, False)
    assert owned == (0,)
    assert owners == [("chatdesk_owner",)]


def member_privileges(member: Member) -> dict[str, object]:
    """What `member` may do in the database, from the catalogs (as that member)."""

    def has(connection: psycopg.Connection[tuple[object, ...]], check: str, *args: str) -> bool:
        query = f"SELECT {check}({', '.join(['%s'] * len(args))})"
        return connection.execute(query.encode(), args).fetchone() == (True,)

    with member.connect() as connection:
        tables = {
            table: {
                p for p in PRIVILEGES if has(connection, "has_table_privilege", f"chat.{table}", p)
            }
            for table in COLUMNS
        }
        columns = {
            table: updatable
            for table in COLUMNS
            if (
                updatable := {
                    column
                    for column in COLUMNS[table]
                    if has(connection, "has_column_privilege", f"chat.{table}", column, "UPDATE")
                }
            )
        }
        referencing = [
            (table, column)
            for table in COLUMNS
            for column in COLUMNS[table]
            if has(connection, "has_column_privilege", f"chat.{table}", column, "REFERENCES")
        ]
        schemas = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE has_schema_privilege(oid, 'CREATE')"
        ).fetchall()
        database = connection.execute(
            "SELECT has_database_privilege(current_database(), 'CREATE')"
        ).fetchone() == (True,)
        functions = connection.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "WHERE p.pronamespace = 'chat'::regnamespace "
            "AND has_function_privilege(p.oid, 'EXECUTE') ORDER BY 1"
        ).fetchall()
    return {
        "tables": tables,
        "update columns": columns,
        "references": referencing,
        "create in schemas": schemas,
        "create schemas": database,
        "functions": [str(f[0]) for f in functions],
    }


CONTRACT_PRIVILEGES = {
    "tables": TABLE_PRIVILEGES,
    "update columns": UPDATABLE_COLUMNS,
    "references": [],
    "create in schemas": [],
    "create schemas": False,
    "functions": MEMBER_API,
}


def test_a_member_holds_exactly_the_granted_privileges(sync_db: SyncDatabase) -> None:
    assert member_privileges(_member(sync_db)) == CONTRACT_PRIVILEGES


def test_a_member_may_execute_only_the_client_functions(sync_db: SyncDatabase) -> None:
    with _member(sync_db).connect() as connection:
        rows = connection.execute(
            "SELECT p.oid::regprocedure::text, has_function_privilege(p.oid, 'EXECUTE'), "
            "p.prosecdef, p.proconfig FROM pg_proc p "
            "WHERE p.pronamespace = 'chat'::regnamespace ORDER BY 1"
        ).fetchall()
    executable = sorted(str(row[0]) for row in rows if row[1])
    assert executable == MEMBER_API
    definers = {str(row[0]): row[3] for row in rows if row[2]}
    assert set(definers) == {
        *MEMBER_API,
        "chat.require_member(uuid)",
        *(f"chat.stamp_{table}()" for table in ("threads", "messages", "summaries", "revisions")),
        "chat.keep_unread_parts()",  # the trigger that keeps parts a writer could not read
    }
    assert all(config == ["search_path=pg_catalog, pg_temp"] for config in definers.values())


def test_every_synced_table_has_its_version_index(sync_db: SyncDatabase) -> None:
    with sync_db.connect_admin() as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_indexes WHERE schemaname = 'chat' "
            "AND indexdef LIKE '%(team_id, server_version)'"
        ).fetchall()
    assert sorted(str(row[0]) for row in rows) == ["messages", "revisions", "summaries", "threads"]
