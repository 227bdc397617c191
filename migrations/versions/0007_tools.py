"""tools: the tool servers switched on for a chat, and the tool figures of an answer and a
thread (time spent in tools, calls per tool)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added columns only: SQLite adds them in place, without copying the tables.
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("tool_time_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tool_counts", sa.JSON(), nullable=True))
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("tools", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("tool_time_ms", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("tool_counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("tool_counts")
        batch.drop_column("tool_time_ms")
        batch.drop_column("tools")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("tool_counts")
        batch.drop_column("tool_time_ms")
