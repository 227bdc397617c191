"""search: an FTS5 index over message text and thread titles, kept current by triggers

Only on SQLite (team sync's PostgreSQL has no use for it). The definitions live in
chatdesk/core/store/search_index.py: the index is derived data, rebuilt at start-up whenever it is
missing or defined otherwise, so this revision creates whatever the current definition is.
Existing messages are indexed here (about 20 s per million messages).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from chatdesk.core.store.search_index import create_index, drop_index

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        create_index(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        drop_index(connection)
