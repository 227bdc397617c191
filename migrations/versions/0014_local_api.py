"""local API: where a thread was made (`threads.origin`), and the cost of answers the local API
gave without keeping them (`api_spending`), which the spending caps count

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 05:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=40), nullable=True))
    op.create_table(
        "api_spending",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_spending")),
    )
    op.create_index("ix_api_spending_created_at", "api_spending", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_spending_created_at", table_name="api_spending")
    op.drop_table("api_spending")
    with op.batch_alter_table("threads") as batch_op:
        batch_op.drop_column("origin")
