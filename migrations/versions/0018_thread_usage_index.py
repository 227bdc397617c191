"""a thread's usage by index: the answers that reported usage, with what they used and cost,
so that a thread's spending is summed from the index alone rather than from its rows

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "thread_id",
    "role",
    "prompt_tokens",
    "completion_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "cost_usd",
    "usage_estimated",
]


def upgrade() -> None:
    op.create_index(
        "ix_messages_thread_usage",
        "messages",
        COLUMNS,
        sqlite_where=sa.text("role = 'assistant' AND prompt_tokens IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_thread_usage", table_name="messages")
