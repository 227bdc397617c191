"""messages by depth: an index on (thread_id, depth), for reading a branch that does not fork
as a range of depths rather than by following its parent pointers one by one

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 03:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_thread_depth", "messages", ["thread_id", "depth"])


def downgrade() -> None:
    op.drop_index("ix_messages_thread_depth", table_name="messages")
