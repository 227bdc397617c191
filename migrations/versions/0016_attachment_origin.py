"""attachment origin: the tool server and URI an attachment was read from (an MCP resource)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.add_column(sa.Column("origin_server", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("origin_uri", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.drop_column("origin_uri")
        batch_op.drop_column("origin_server")
