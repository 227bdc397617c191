"""Alembic environment of the team server's schema `chat` (its own history, not the desktop's).

`chatdesk server init` runs it in-process and passes its connection, already inside the one
transaction of the whole set-up, through `config.attributes["connection"]`. Every object is
created as the role `chatdesk_owner`, so the administrator's own role owns nothing of chatdesk's
and members never own anything. The version table is `chat.alembic_version`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

OWNER = "chatdesk_owner"
SCHEMA = "chat"


def run(connection: Connection) -> None:
    connection.execute(text(f"SET LOCAL ROLE {OWNER}"))
    context.configure(
        connection=connection,
        target_metadata=None,
        version_table="alembic_version",
        version_table_schema=SCHEMA,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.execute(text("RESET ROLE"))


def main() -> None:
    given = context.config.attributes.get("connection")
    if context.is_offline_mode() or not isinstance(given, Connection):
        raise RuntimeError("the team server's schema is set up by `chatdesk server init`")
    run(given)


main()
