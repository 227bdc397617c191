"""context and summaries: cached token counts per message, a per-thread context window, paused
automatic summaries, and when a summary was edited

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("token_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("token_encoding", sa.String(length=40), nullable=True))
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("context_window", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("summaries_paused", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("summaries") as batch:
        batch.add_column(sa.Column("edited_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("summaries") as batch:
        batch.drop_column("edited_at")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("summaries_paused")
        batch.drop_column("context_window")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("token_encoding")
        batch.drop_column("token_count")
